import { isIpOnly, isLocateError, parseCountryRequest, parseGeolocateRequest, type LocateError } from '../src';
import { geolocateCellOnly, geolocateComplete, geolocateWifiOnly } from './fixtures/ichnaea-examples';

function parseFailure(body: unknown): LocateError {
  try {
    parseGeolocateRequest(body);
  } catch (error) {
    if (isLocateError(error)) return error;
    throw error;
  }
  throw new Error('expected a parse failure');
}

describe('parseGeolocateRequest: documented examples', () => {
  it('reads the minimal WiFi example', () => {
    const q = parseGeolocateRequest(geolocateWifiOnly);
    expect(q.wifi.map((w) => [w.mac, w.signal])).toEqual([['01:23:45:67:89:ab', -51], ['01:23:45:67:89:cd', null]]);
    expect(q.fallbacks).toEqual({ ipf: true, lacf: true });
    expect(isIpOnly(q)).toBe(false);
  });

  it('reads the minimal cell example as a cell and its area', () => {
    const q = parseGeolocateRequest(geolocateCellOnly);
    expect(q.cells).toEqual([expect.objectContaining({ radio: 'wcdma', mcc: 208, mnc: 1, lac: 2, cid: 1234567, signal: -60 })]);
    expect(q.cellAreas).toHaveLength(1);
  });

  it('reads every documented field of the complete example', () => {
    const q = parseGeolocateRequest(geolocateComplete);
    expect(q).toMatchObject({ carrier: 'Telecom', considerIp: true, homeMobileCountryCode: 208, homeMobileNetworkCode: 1 });
    // A single beacon is not enough to be used (two-network privacy minimum).
    expect(q.bluetooth).toEqual([]);
    expect(q.cells[0]).toMatchObject({ psc: 3, age: 1, ta: null, signal: -60 }); // no timing advance on WCDMA
    expect(q.wifi[0]).toEqual({ mac: '01:23:45:67:89:ab', ssid: null, signal: -51, snr: 13, channel: 11, frequency: 2412, age: 3, radioType: null });
    expect(q.sent).toEqual({ wifi: 2, cells: 1, bluetooth: 1 });
  });

  it('treats an empty body as an IP-only query', () => {
    const q = parseGeolocateRequest(undefined);
    expect(isIpOnly(q)).toBe(true);
    expect(q.fallbacks.ipf).toBe(true);
    expect(isIpOnly(parseGeolocateRequest({}))).toBe(true);
  });

  it('is the body of /v1/country too', () => {
    expect(parseCountryRequest(geolocateCellOnly)).toEqual(parseGeolocateRequest(geolocateCellOnly));
  });
});

describe('parseGeolocateRequest: MAC addresses', () => {
  it.each(['01:23:45:67:89:AB', '01-23-45-67-89-ab', '0123456789Ab', '0123.4567.89ab'])('accepts %s', (mac) => {
    const q = parseGeolocateRequest({ wifiAccessPoints: [{ macAddress: mac }, { macAddress: 'aa:bb:cc:dd:ee:ff' }] });
    expect(q.wifi[0]!.mac).toBe('01:23:45:67:89:ab');
  });

  it('drops unusable addresses', () => {
    const q = parseGeolocateRequest({
      wifiAccessPoints: ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '01:00:5e:90:10:00', '01:23:45', 'zz:23:45:67:89:ab', '01:23:45:67:89:ab', '01:23:45:67:89:cd'].map(
        (macAddress) => ({ macAddress }),
      ),
    });
    expect(q.wifi.map((w) => w.mac)).toEqual(['01:23:45:67:89:ab', '01:23:45:67:89:cd']);
  });

  it('collapses duplicates into the stronger entry, in order of first appearance', () => {
    const q = parseGeolocateRequest({
      wifiAccessPoints: [
        { macAddress: '01:23:45:67:89:ab', signalStrength: -90 },
        { macAddress: 'aa:bb:cc:dd:ee:ff', signalStrength: -70 },
        { macAddress: '01-23-45-67-89-AB', signalStrength: -60 },
      ],
    });
    expect(q.wifi.map((w) => [w.mac, w.signal])).toEqual([['01:23:45:67:89:ab', -60], ['aa:bb:cc:dd:ee:ff', -70]]);
  });
});

describe('parseGeolocateRequest: privacy', () => {
  it('ignores hidden and _nomap networks, and then needs two usable networks', () => {
    const q = parseGeolocateRequest({
      wifiAccessPoints: [
        { macAddress: '01:23:45:67:89:ab', ssid: 'home_nomap' },
        { macAddress: '01:23:45:67:89:cd', ssid: '' },
        { macAddress: '01:23:45:67:89:ef', ssid: 'cafe' },
      ],
    });
    expect(q.wifi).toEqual([]);
    expect(q.optedOutWifi).toBe(2);
  });

  it('keeps networks whose SSID was not sent', () => {
    const q = parseGeolocateRequest({ wifiAccessPoints: [{ macAddress: '01:23:45:67:89:ab' }, { macAddress: '01:23:45:67:89:cd', ssid: 'Office_NOMAP' }, { macAddress: '01:23:45:67:89:ef', ssid: 'x' }] });
    expect(q.wifi.map((w) => w.mac)).toEqual(['01:23:45:67:89:ab', '01:23:45:67:89:ef']);
  });

  it('counts the same network twice only once toward the minimum', () => {
    const q = parseGeolocateRequest({ wifiAccessPoints: [{ macAddress: '01:23:45:67:89:ab' }, { macAddress: '0123456789AB' }] });
    expect(q.wifi).toEqual([]);
  });
});

describe('parseGeolocateRequest: fallbacks and considerIp', () => {
  it.each([
    [{ considerIp: false }, { ipf: false, lacf: true }],
    [{ considerIp: true }, { ipf: true, lacf: true }],
    [{ considerIp: false, fallbacks: { ipf: true } }, { ipf: true, lacf: true }],
    [{ considerIp: true, fallbacks: { ipf: false } }, { ipf: false, lacf: true }],
    [{ considerIp: false, fallbacks: {} }, { ipf: true, lacf: true }],
    [{ fallbacks: { lacf: false, ipf: 'maybe' } }, { ipf: true, lacf: false }],
  ])('%j → %j', (body, expected) => {
    expect(parseGeolocateRequest(body).fallbacks).toEqual(expected);
  });

  it('drops cell areas when lacf is off', () => {
    expect(parseGeolocateRequest({ ...geolocateCellOnly, fallbacks: { lacf: false } }).cellAreas).toEqual([]);
  });
});

describe('parseGeolocateRequest: cells', () => {
  const cell = { mobileCountryCode: 262, mobileNetworkCode: 2, locationAreaCode: 1000, cellId: 5000 };

  it('takes the top-level radioType for cells without one', () => {
    const q = parseGeolocateRequest({ radioType: 'lte', cellTowers: [cell, { ...cell, cellId: 5001, radioType: 'gsm' }] });
    expect(q.cells.map((c) => c.radio)).toEqual(['lte', 'gsm']);
  });

  it('reads a GSM cell id beyond 16 bits as WCDMA', () => {
    expect(parseGeolocateRequest({ cellTowers: [{ ...cell, radioType: 'gsm', cellId: 70000 }] }).cells[0]!.radio).toBe('wcdma');
  });

  it('drops CDMA, unknown MCCs and out-of-range MNCs', () => {
    const q = parseGeolocateRequest({
      cellTowers: [{ ...cell, radioType: 'cdma' }, { ...cell, radioType: 'lte', mobileCountryCode: 1 }, { ...cell, radioType: 'lte', mobileNetworkCode: 1000 }],
    });
    expect(q.cells).toEqual([]);
  });

  it('keeps a cell without cid as an area only', () => {
    const q = parseGeolocateRequest({ cellTowers: [{ ...cell, radioType: 'lte', cellId: null }] });
    expect(q.cells).toEqual([]);
    expect(q.cellAreas).toEqual([expect.objectContaining({ lac: 1000, cid: null })]);
  });

  it('nulls out-of-range signals, derives signal from ASU and fixes swapped fields', () => {
    const q = parseGeolocateRequest({
      cellTowers: [
        { ...cell, radioType: 'gsm', signalStrength: -20 },
        { ...cell, radioType: 'gsm', cellId: 5001, asu: 20 },
        { ...cell, radioType: 'lte', cellId: 5002, asu: -90, signalStrength: 20 },
        { ...cell, radioType: 'lte', cellId: 5003, primaryScramblingCode: 510 },
      ],
    });
    expect(q.cells.map((c) => [c.signal, c.asu, c.psc])).toEqual([[null, null, null], [-73, 20, null], [-90, null, null], [null, null, null]]);
  });
});

describe('parseGeolocateRequest: parse errors', () => {
  it('refuses a body that is not a mapping', () => {
    const e = parseFailure([1, 2]);
    expect(e.code).toBe('VANE_ERR_VALIDATION');
    expect(e.details).toEqual({ validation: { '': expect.stringContaining('not a mapping') } });
  });

  it('names every field of the wrong type by its path', () => {
    const e = parseFailure({ wifiAccessPoints: [{ macAddress: '01:23:45:67:89:ab', signalStrength: 'loud' }, 7], cellTowers: {}, considerIp: 'perhaps' });
    expect(Object.keys((e.details as { validation: Record<string, string> }).validation).sort()).toEqual(
      ['cellTowers', 'considerIp', 'wifiAccessPoints.0.signalStrength', 'wifiAccessPoints.1'].sort(),
    );
  });

  it('refuses a radioType it does not know', () => {
    expect(parseFailure({ cellTowers: [{ radioType: '6g' }] }).details).toEqual({ validation: { 'cellTowers.0.radioType': expect.any(String) } });
  });

  it('accepts numbers sent as strings', () => {
    const q = parseGeolocateRequest({ cellTowers: [{ radioType: 'lte', mobileCountryCode: '262', mobileNetworkCode: '2', locationAreaCode: '7', cellId: '9' }] });
    expect(q.cells[0]).toMatchObject({ mcc: 262, mnc: 2, lac: 7, cid: 9 });
  });
});
