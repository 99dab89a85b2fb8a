import { parseGeolocateRequest, queryRecord, searchPosition } from '../src';
import { NOW, station } from './support';

describe('queryRecord (locate.queries.v1)', () => {
  const request = parseGeolocateRequest({
    considerIp: false,
    wifiAccessPoints: [{ macAddress: '02:00:00:00:00:01' }, { macAddress: '02:00:00:00:00:02' }, { macAddress: '02:00:00:00:00:03', ssid: 'a_nomap' }],
    cellTowers: [{ radioType: 'lte', mobileCountryCode: 262, mobileNetworkCode: 1, locationAreaCode: 4, cellId: 5 }],
  });
  const ids = { queryId: 'q-1', at: NOW, apiKeyId: 'key-1' };

  it('records the usable networks, the counts as sent and the answer', () => {
    const wifi = [station('wifi', '020000000001', 48.1, 11.5), station('wifi', '020000000002', 48.1001, 11.5)];
    const outcome = searchPosition(request, { geoip: null, stations: { wifi, bluetooth: [], cells: [], cellAreas: [] } }, NOW);
    const record = queryRecord(request, { kind: 'locate', answer: outcome.answer, source: outcome.source }, ids);
    expect(record).toMatchObject({ queryId: 'q-1', at: NOW, apiKeyId: 'key-1', kind: 'locate', considerIp: false, wifiCount: 3, cellCount: 1, bluetoothCount: 0, source: 'internal', region: null });
    expect(record.wifi.map((w) => w.mac)).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02']);
    expect(record.cells).toEqual([{ radio: 'lte', mcc: 262, mnc: 1, lac: 4, cid: 5, signal: null }]);
    expect(record.answer).toEqual({ latitude: outcome.answer!.lat, longitude: outcome.answer!.lon, accuracy: outcome.answer!.accuracy });
  });

  it('records a region query and a miss', () => {
    expect(queryRecord(request, { kind: 'region', answer: { code: 'DE', name: 'Germany', fallback: null }, source: 'internal' }, ids)).toMatchObject({ kind: 'region', region: 'DE', answer: null });
    expect(queryRecord(request, { kind: 'locate', answer: null, source: 'internal' }, ids)).toMatchObject({ source: 'none', answer: null });
  });
});
