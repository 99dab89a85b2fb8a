import type { LocateQuery } from '@vane/schemas';
import { parseGeosubmitRequest, toGeoSubmission } from '@vane/locate';
import { groupByStation, observationsFromQuery, observationsFromSubmission } from '../src';
import { NOW } from './support';

describe('observations', () => {
  const batch = parseGeosubmitRequest({
    items: [{
      timestamp: NOW,
      position: { latitude: 48.1, longitude: 11.5, accuracy: 12, age: 1000, speed: 2, source: 'gps' },
      wifiAccessPoints: [{ macAddress: '02:00:00:00:00:01', age: 3000, signalStrength: -60 }, { macAddress: '02:00:00:00:00:02' }, { macAddress: '02:00:00:00:00:03', ssid: 'x_nomap' }],
      cellTowers: [{ radioType: 'lte', mobileCountryCode: 262, mobileNetworkCode: 1, locationAreaCode: 4, cellId: 5 }],
    }],
  }, NOW);
  const record = toGeoSubmission(batch.items[0]!, { observationId: 'o', receivedAt: NOW, apiKeyId: 'k' });

  it('makes one observation per station of a submission, ages relative to the fix', () => {
    const list = observationsFromSubmission(record);
    expect(list.map((o) => [o.kind, o.key, o.age])).toEqual([
      ['wifi', '020000000001', 2000],
      ['wifi', '020000000002', -1000],
      ['cell', 'lte/262/1/4/5', -1000],
    ]);
    expect(list[0]).toMatchObject({ lat: 48.1, lon: 11.5, accuracy: 12, speed: 2, signal: -60, source: 'gnss', time: NOW });
    expect(list[2]!.radio).toBe('lte');
  });

  it('learns from queries answered from learned stations only', () => {
    const query: LocateQuery = {
      queryId: 'q', at: NOW, apiKeyId: 'k', kind: 'locate', considerIp: true, wifiCount: 2, cellCount: 0, bluetoothCount: 0,
      wifi: record.wifi, cells: [], bluetooth: [], answer: { latitude: 48.2, longitude: 11.6, accuracy: 40 }, source: 'internal', region: null,
    };
    expect(observationsFromQuery(query).map((o) => [o.key, o.source, o.accuracy, o.lat])).toEqual([
      ['020000000001', 'query', 40, 48.2],
      ['020000000002', 'query', 40, 48.2],
    ]);
    expect(observationsFromQuery({ ...query, source: 'geoip' })).toEqual([]);
    expect(observationsFromQuery({ ...query, answer: null, source: 'none' })).toEqual([]);
  });

  it('groups observations per station', () => {
    const list = [...observationsFromSubmission(record), ...observationsFromSubmission(record)];
    const groups = groupByStation(list);
    expect([...groups.keys()]).toEqual(['wifi:020000000001', 'wifi:020000000002', 'cell:lte/262/1/4/5']);
    expect(groups.get('wifi:020000000001')).toHaveLength(2);
  });
});
