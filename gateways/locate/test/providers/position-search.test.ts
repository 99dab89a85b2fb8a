import {
  bestPosition, geoipPosition, internalLookupKeys, internalShouldSearch, parseGeolocateRequest, searchPosition,
  type FoundStations, type GeoIpRecord, type PositionResult, distanceMeters,
} from '../../src';
import { DAY, NOW, offset, station } from '../support';

const BERLIN: [number, number] = [52.52, 13.405];
const macs = (n: number) => Array.from({ length: n }, (_, i) => `02:00:00:00:${(i + 1).toString(16).padStart(2, '0')}:00`);
const key = (mac: string) => mac.replace(/:/g, '');
const berlinGeoIp: GeoIpRecord = { countryCode: 'DE', latitude: 52.5, longitude: 13.4, subdivisions: ['BE'], city: true };

function wifiQuery(list: string[], extra: Record<string, unknown> = {}) {
  return parseGeolocateRequest({ wifiAccessPoints: list.map((macAddress) => ({ macAddress, signalStrength: -60 })), ...extra });
}

function found(over: Partial<FoundStations>): FoundStations {
  return { wifi: [], bluetooth: [], cells: [], cellAreas: [], ...over };
}

describe('WiFi answers', () => {
  it('answers from a group of agreeing networks, within the group, accuracy 10–500 m', () => {
    const list = macs(4);
    const wifi = list.map((m, i) => station('wifi', key(m), ...offset(...BERLIN, i * 30, i * 20)));
    const q = wifiQuery(list);
    const out = searchPosition(q, { geoip: null, stations: found({ wifi }) }, NOW);
    expect(out.source).toBe('internal');
    expect(out.answer!.fallback).toBeNull();
    expect(distanceMeters(out.answer!.lat, out.answer!.lon, ...BERLIN)).toBeLessThan(120);
    expect(out.answer!.accuracy).toBeGreaterThanOrEqual(10);
    expect(out.answer!.accuracy).toBeLessThanOrEqual(500);
    expect(out.best!.used).toHaveLength(4);
  });

  it('never reveals one network: a query naming one known and one unknown network gets no WiFi answer', () => {
    const list = macs(2);
    const out = searchPosition(wifiQuery(list), { geoip: null, stations: found({ wifi: [station('wifi', key(list[0]!), ...BERLIN)] }) }, NOW);
    expect(out.answer).toBeNull();
    expect(out.source).toBe('none');
  });

  it('never uses a single WiFi network of a query, even when it is known', () => {
    const list = macs(1);
    const q = wifiQuery(list);
    expect(q.wifi).toEqual([]);
    expect(searchPosition(q, { geoip: null, stations: found({ wifi: [station('wifi', key(list[0]!), ...BERLIN)] }) }, NOW).answer).toBeNull();
  });

  it('ignores _nomap networks even when they are known', () => {
    const list = macs(3);
    const q = parseGeolocateRequest({ wifiAccessPoints: [{ macAddress: list[0] }, { macAddress: list[1] }, { macAddress: list[2], ssid: 'phone_nomap' }] });
    expect(internalLookupKeys(q).wifi).toEqual([key(list[0]!), key(list[1]!)]);
    const wifi = [station('wifi', key(list[0]!), ...BERLIN), station('wifi', key(list[2]!), ...offset(...BERLIN, 20, 0))];
    // Only one of the usable networks is known: no answer, although the _nomap one would have made two.
    expect(searchPosition(q, { geoip: null, stations: found({ wifi }) }, NOW).answer).toBeNull();
  });

  it('prefers the cluster of agreeing networks over a lone pair far away', () => {
    const list = macs(6);
    const wifi = [
      ...list.slice(0, 4).map((m, i) => station('wifi', key(m), ...offset(...BERLIN, i * 25, 0))),
      ...list.slice(4).map((m, i) => station('wifi', key(m), ...offset(48.85, 2.35, i * 25, 0))),
    ];
    const out = searchPosition(wifiQuery(list), { geoip: null, stations: found({ wifi }) }, NOW);
    expect(distanceMeters(out.answer!.lat, out.answer!.lon, ...BERLIN)).toBeLessThan(200);
  });

  it('drops a network that disagrees with the others (no group spans more than 500 m)', () => {
    const list = macs(4);
    const wifi = [
      ...list.slice(0, 3).map((m, i) => station('wifi', key(m), ...offset(...BERLIN, i * 30, 0))),
      station('wifi', key(list[3]!), ...offset(...BERLIN, 3000, 0)),
    ];
    const out = searchPosition(wifiQuery(list), { geoip: null, stations: found({ wifi }) }, NOW);
    expect(out.best!.used.map((u) => u.key)).not.toContain(key(list[3]!));
    expect(out.answer!.accuracy).toBeLessThan(100);
  });

  it('ignores blocked and position-less stations', () => {
    const list = macs(2);
    const wifi = [
      station('wifi', key(list[0]!), ...BERLIN),
      station('wifi', key(list[1]!), ...offset(...BERLIN, 20, 0), { blockLast: NOW - DAY, blockCount: 1 }),
    ];
    expect(searchPosition(wifiQuery(list), { geoip: null, stations: found({ wifi }) }, NOW).answer).toBeNull();
    const noPosition = [wifi[0]!, { ...station('wifi', key(list[1]!), 0, 0), lat: null, lon: null }];
    expect(searchPosition(wifiQuery(list), { geoip: null, stations: found({ wifi: noPosition }) }, NOW).answer).toBeNull();
  });

  it('clamps the accuracy of two networks at the same spot to 10 m', () => {
    const list = macs(2);
    const wifi = list.map((m) => station('wifi', key(m), ...BERLIN));
    expect(searchPosition(wifiQuery(list), { geoip: null, stations: found({ wifi }) }, NOW).answer!.accuracy).toBe(10);
  });

  it('wins over GeoIP, which is then not reported as a fallback', () => {
    const list = macs(3);
    const wifi = list.map((m, i) => station('wifi', key(m), ...offset(...BERLIN, i * 40, 0)));
    const out = searchPosition(wifiQuery(list), { geoip: berlinGeoIp, stations: found({ wifi }) }, NOW);
    expect(out.source).toBe('internal');
    expect(out.answer!.fallback).toBeNull();
    expect(out.results.map((r) => r.source).sort()).toEqual(['geoip', 'internal']);
  });
});

describe('Bluetooth answers', () => {
  it('answers from two beacons within 100 m, accuracy at most 50 m', () => {
    const list = macs(2);
    const bluetooth = list.map((m, i) => station('bluetooth', key(m), ...offset(...BERLIN, i * 60, 0)));
    const q = parseGeolocateRequest({ bluetoothBeacons: list.map((macAddress) => ({ macAddress })) });
    const out = searchPosition(q, { geoip: null, stations: found({ bluetooth }) }, NOW);
    expect(out.answer!.accuracy).toBeLessThanOrEqual(50);
    expect(out.answer!.accuracy).toBeGreaterThanOrEqual(10);
  });

  it('gives no answer from two beacons 150 m apart', () => {
    const list = macs(2);
    const bluetooth = list.map((m, i) => station('bluetooth', key(m), ...offset(...BERLIN, i * 150, 0)));
    const q = parseGeolocateRequest({ bluetoothBeacons: list.map((macAddress) => ({ macAddress })) });
    expect(searchPosition(q, { geoip: null, stations: found({ bluetooth }) }, NOW).answer).toBeNull();
  });
});

describe('cell and cell-area answers', () => {
  const tower = { radioType: 'lte', mobileCountryCode: 262, mobileNetworkCode: 2, locationAreaCode: 1000 };

  it('answers from one known cell with its radius, clamped to 1–50 km', () => {
    const q = parseGeolocateRequest({ cellTowers: [{ ...tower, cellId: 1 }] });
    const out = searchPosition(q, { geoip: null, stations: found({ cells: [station('cell', 'lte/262/2/1000/1', ...BERLIN, { radius: 300 })] }) }, NOW);
    expect(out.answer).toEqual({ lat: BERLIN[0], lon: BERLIN[1], accuracy: 1000, fallback: null });
  });

  it('averages the known cells of one area', () => {
    const q = parseGeolocateRequest({ cellTowers: [{ ...tower, cellId: 1 }, { ...tower, cellId: 2 }] });
    const cells = [station('cell', 'lte/262/2/1000/1', ...BERLIN, { radius: 3000 }), station('cell', 'lte/262/2/1000/2', ...offset(...BERLIN, 4000, 0), { radius: 3000 })];
    const out = searchPosition(q, { geoip: null, stations: found({ cells }) }, NOW);
    expect(out.answer!.lat).toBeGreaterThan(BERLIN[0]);
    expect(out.answer!.lat).toBeLessThan(offset(...BERLIN, 4000, 0)[0]);
    expect(out.best!.used).toHaveLength(2);
  });

  it('falls back to the cell area (lacf) when the cell is unknown, and not when lacf is off', () => {
    const body = { cellTowers: [{ ...tower, cellId: 99 }] };
    const areas = [station('cellArea', 'lte/262/2/1000', ...BERLIN, { radius: 20000, samples: 12 })];
    const out = searchPosition(parseGeolocateRequest(body), { geoip: null, stations: found({ cellAreas: areas }) }, NOW);
    expect(out.answer).toEqual({ lat: BERLIN[0], lon: BERLIN[1], accuracy: 50000, fallback: 'lacf' });
    const off = parseGeolocateRequest({ ...body, fallbacks: { lacf: false } });
    expect(searchPosition(off, { geoip: null, stations: found({ cellAreas: areas }) }, NOW).answer).toBeNull();
  });
});

describe('GeoIP answers', () => {
  it('answers an IP-only query without a fallback marker, and without asking for stations', () => {
    const q = parseGeolocateRequest(undefined);
    const first = geoipPosition(q, berlinGeoIp);
    expect(internalShouldSearch(q, first, true)).toBe(false);
    const out = searchPosition(q, { geoip: berlinGeoIp }, NOW);
    expect(out.answer).toEqual({ lat: 52.5, lon: 13.4, accuracy: 25000, fallback: null });
    expect(out.source).toBe('geoip');
  });

  it('marks GeoIP as the ipf fallback when the networks gave nothing', () => {
    const out = searchPosition(wifiQuery(macs(2)), { geoip: berlinGeoIp, stations: found({}) }, NOW);
    expect(out.answer!.fallback).toBe('ipf');
  });

  it('keeps answering from GeoIP when the station store could not be read', () => {
    expect(searchPosition(wifiQuery(macs(2)), { geoip: berlinGeoIp, stations: undefined }, NOW).answer!.fallback).toBe('ipf');
  });

  it('is not used when ipf (or considerIp) forbids it', () => {
    expect(searchPosition(parseGeolocateRequest({ considerIp: false }), { geoip: berlinGeoIp }, NOW).answer).toBeNull();
    expect(searchPosition(parseGeolocateRequest({ fallbacks: { ipf: false } }), { geoip: berlinGeoIp }, NOW).answer).toBeNull();
  });

  it('uses the smallest radius that applies', () => {
    const q = parseGeolocateRequest(undefined);
    const at = (r: GeoIpRecord) => geoipPosition(q, r)[0]!.accuracy;
    expect(at({ countryCode: 'DE', latitude: 51, longitude: 10 })).toBe(5_000_000);
    expect(at({ countryCode: 'DE', latitude: 51, longitude: 10, countryRadiusMeters: 600_000 })).toBe(600_000);
    expect(at({ countryCode: 'DE', latitude: 51, longitude: 10, subdivisions: ['BY'] })).toBe(400_000);
    expect(at({ countryCode: 'US', latitude: 40, longitude: -100, subdivisions: ['TX'] })).toBe(1_200_000);
    expect(at({ countryCode: 'DE', latitude: 51, longitude: 10, accuracyRadiusKm: 100 })).toBe(100_000);
    expect(at({ countryCode: 'DE', latitude: 51, longitude: 10, accuracyRadiusKm: 100, city: true })).toBe(25_000);
  });
});

describe('choosing the best result', () => {
  const r = (lat: number, lon: number, accuracy: number, score: number): PositionResult => ({ lat, lon, accuracy, score, source: 'internal', fallback: null, used: [] });

  it('lets agreeing results outvote a more accurate lone outlier', () => {
    const agreeing = [r(52.52, 13.405, 1000, 0.6), r(52.521, 13.406, 2000, 0.6)];
    const outlier = r(48.85, 2.35, 100, 1.0);
    expect(bestPosition([outlier, ...agreeing])).toBe(agreeing[0]);
  });

  it('answers the most accurate result of the winning group', () => {
    const wifi = r(52.52, 13.405, 50, 2);
    const cell = r(52.53, 13.41, 5000, 3);
    expect(bestPosition([cell, wifi])).toBe(wifi);
    expect(bestPosition([])).toBeNull();
  });
});
