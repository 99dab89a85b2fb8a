import { isLocateError, parseGeosubmitRequest, parseSubmitRequest, toGeoSubmission } from '../src';
import { geosubmitV2, submitV1 } from './fixtures/ichnaea-examples';

const RECEIVED = Date.UTC(2026, 2, 1);

const pos = { latitude: 52.52, longitude: 13.405 };
const wifi = (n: number) => Array.from({ length: n }, (_, i) => ({ macAddress: `02:00:00:00:00:0${i + 1}` }));
const cell = { radioType: 'lte', mobileCountryCode: 262, mobileNetworkCode: 2, locationAreaCode: 1000, cellId: 5000 };

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (error) {
    return isLocateError(error) ? error.code : 'not a LocateError';
  }
  return null;
}

describe('parseGeosubmitRequest', () => {
  it('reads the documented v2 batch field for field', () => {
    const batch = parseGeosubmitRequest(geosubmitV2, RECEIVED);
    expect(batch).toMatchObject({ sent: 1, dropped: 0 });
    const item = batch.items[0]!;
    expect(item.eventTime).toBe(1405602028568);
    expect(item.position).toEqual({
      latitude: -22.7539192, longitude: -43.4371081, accuracy: 10, altitude: 100, altitudeAccuracy: 50,
      age: 1000, heading: 45, pressure: 1013.25, speed: 3.6, source: 'gps',
    });
    expect(item.bluetooth).toEqual([{ mac: 'ff:23:45:67:89:ab', name: 'beacon', signal: -110, age: 2000 }]);
    expect(item.cells).toEqual([{ radio: 'lte', mcc: 208, mnc: 1, lac: 2, cid: 12345, psc: 5, signal: -51, asu: 31, ta: 1, age: 3000, serving: 1 }]);
    expect(item.wifi.map((w) => [w.mac, w.channel, w.frequency, w.signal, w.snr, w.radioType])).toEqual([
      ['01:23:45:67:89:ab', 6, 2437, -77, 13, '802.11n'],
      ['23:45:67:89:ab:cd', null, null, null, null, null],
    ]);
  });

  it('maps a kept item onto the ingest.geosubmit.v1 record', () => {
    const item = parseGeosubmitRequest(geosubmitV2, RECEIVED).items[0]!;
    const record = toGeoSubmission(item, { observationId: 'o-1', receivedAt: RECEIVED, apiKeyId: 'k-1' });
    expect(record).toMatchObject({ observationId: 'o-1', receivedAt: RECEIVED, eventTime: 1405602028568, apiKeyId: 'k-1' });
    expect(record.position).toEqual({ latitude: -22.7539192, longitude: -43.4371081, accuracy: 10, altitude: 100, source: 'gps', age: 1000, speed: 3.6, heading: 45 });
    expect(record.cells).toEqual([{ radio: 'lte', mcc: 208, mnc: 1, lac: 2, cid: 12345, signal: -51 }]);
    expect(record.bluetooth).toEqual([{ mac: 'ff:23:45:67:89:ab', signal: -110 }]);
    expect(record.wifi[0]).toEqual({ mac: '01:23:45:67:89:ab', ssid: null, signal: -77, channel: 6, age: 5000 });
  });

  it.each([
    ['one cell', { position: pos, cellTowers: [cell] }, true],
    ['one beacon', { position: pos, bluetoothBeacons: [{ macAddress: 'aa:bb:cc:dd:ee:ff' }] }, true],
    ['two WiFi networks', { position: pos, wifiAccessPoints: wifi(2) }, true],
    ['one WiFi network', { position: pos, wifiAccessPoints: wifi(1) }, false],
    ['two WiFi, one of them _nomap', { position: pos, wifiAccessPoints: [...wifi(1), { macAddress: '02:00:00:00:00:09', ssid: 'x_nomap' }] }, false],
    ['no position', { cellTowers: [cell] }, false],
    ['latitude out of range', { position: { latitude: 91, longitude: 0.5 }, cellTowers: [cell] }, false],
    ['the 0,0 placeholder', { position: { latitude: 0, longitude: 0 }, cellTowers: [cell] }, false],
    ['an invalid cell only', { position: pos, cellTowers: [{ ...cell, mobileCountryCode: 999 }] }, false],
  ])('an item with %s is kept: %s', (_what, item, kept) => {
    const batch = parseGeosubmitRequest({ items: [item] }, RECEIVED);
    expect(batch.items).toHaveLength(kept ? 1 : 0);
    expect(batch.dropped).toBe(kept ? 0 : 1);
  });

  it('never keeps opted-out WiFi networks in a kept item', () => {
    const batch = parseGeosubmitRequest({ items: [{ position: pos, wifiAccessPoints: [...wifi(2), { macAddress: '02:00:00:00:00:09', ssid: 'x_nomap' }] }] }, RECEIVED);
    expect(batch.items[0]!.wifi.map((w) => w.mac)).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02']);
  });

  it('uses the receive time for a missing or implausible timestamp and gps for an unknown source', () => {
    const batch = parseGeosubmitRequest({ items: [
      { position: { ...pos, source: 'gnss' }, cellTowers: [cell] },
      { timestamp: 12345, position: { ...pos, source: 'telepathy' }, cellTowers: [cell] },
      { position: { ...pos, source: 'fused' }, cellTowers: [cell] },
    ] }, RECEIVED);
    expect(batch.items.map((i) => [i.eventTime, i.position.source])).toEqual([[RECEIVED, 'gps'], [RECEIVED, 'gps'], [RECEIVED, 'fused']]);
  });

  it('reads /v1/geosubmit items, whose position fields sit on the item', () => {
    const batch = parseGeosubmitRequest({ items: [{ latitude: 52.52, longitude: 13.405, accuracy: 12, cellTowers: [{ ...cell, psc: 7 }] }] }, RECEIVED);
    expect(batch.items[0]!.position).toMatchObject({ latitude: 52.52, longitude: 13.405, accuracy: 12 });
    expect(batch.items[0]!.cells[0]!.psc).toBe(7);
  });

  it('accepts an empty batch but not a body without items', () => {
    expect(parseGeosubmitRequest({ items: [] }, RECEIVED)).toEqual({ items: [], sent: 0, dropped: 0 });
    expect(codeOf(() => parseGeosubmitRequest(undefined, RECEIVED))).toBe('VANE_ERR_VALIDATION');
    expect(codeOf(() => parseGeosubmitRequest({}, RECEIVED))).toBe('VANE_ERR_VALIDATION');
    expect(codeOf(() => parseGeosubmitRequest('items', RECEIVED))).toBe('VANE_ERR_VALIDATION');
  });

  it('gives the path of a field of the wrong type', () => {
    try {
      parseGeosubmitRequest({ items: [{ position: { latitude: 'north' }, cellTowers: [cell] }] }, RECEIVED);
      throw new Error('expected a failure');
    } catch (error) {
      expect(isLocateError(error) && error.details).toEqual({ validation: { 'items.0.position.latitude': expect.stringContaining('not a number') } });
    }
  });
});

describe('parseSubmitRequest (/v1/submit)', () => {
  it('reads the documented report; its made-up MCC 123 cell is dropped, the beacon keeps the item', () => {
    const batch = parseSubmitRequest(submitV1, RECEIVED);
    expect(batch.sent).toBe(1);
    const item = batch.items[0]!;
    expect(item.eventTime).toBe(Date.UTC(2012, 2, 1));
    expect(item.position).toMatchObject({ latitude: -22.7539192, longitude: -43.4371081, accuracy: 10, altitudeAccuracy: 1, heading: 45, speed: 13.88 });
    expect(item.cells).toEqual([]);
    expect(item.bluetooth).toEqual([{ mac: 'ff:74:27:89:5a:77', name: 'beacon', signal: -110, age: 2000 }]);
    expect(item.wifi).toEqual([expect.objectContaining({ mac: '01:23:45:67:89:ab', signal: -51, channel: 11, frequency: 2412 })]);
  });

  it('maps umts to WCDMA and the item radio to its cells', () => {
    const batch = parseSubmitRequest({ items: [{ lat: 52.52, lon: 13.405, radio: 'umts', cell: [{ mcc: 262, mnc: 2, lac: 3, cid: 70000 }] }] }, RECEIVED);
    expect(batch.items[0]!.cells[0]!.radio).toBe('wcdma');
  });
});
