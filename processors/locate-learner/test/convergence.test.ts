import {
  cellKey, distanceMeters, parseGeolocateRequest, searchPosition, type FoundStations, type StationRecord,
} from '@vane/locate';
import type { GeoSubmission } from '@vane/schemas';
import { aggregateCellArea, groupByStation, observationsFromSubmission, updateStation, type ObservedKind } from '../src';
import { DAY, gauss, NOW, offset, rng } from './support';

/**
 * A simulated town: WiFi access points, Bluetooth beacons and cells at known
 * places; devices with noisy GPS submit what they see nearby, in hourly
 * batches for a week. The learned positions must converge to the true ones,
 * and the gateway must then locate a new device from them.
 */
const CENTRE: [number, number] = [48.137, 11.575];
const random = rng(42);

interface TrueStation {
  kind: ObservedKind;
  key: string;
  mac?: string;
  lat: number;
  lon: number;
  range: number;
}

const mac = (prefix: number, i: number) => `02:${prefix.toString(16).padStart(2, '0')}:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const truth: TrueStation[] = [];
for (let i = 0; i < 40; i += 1) {
  const m = mac(1, i);
  truth.push({ kind: 'wifi', key: m.replace(/:/g, ''), mac: m, ...place(600), range: 80 });
}
for (let i = 0; i < 10; i += 1) {
  const m = mac(2, i);
  truth.push({ kind: 'bluetooth', key: m.replace(/:/g, ''), mac: m, ...place(2000), range: 15 });
}
for (let i = 0; i < 4; i += 1) truth.push({ kind: 'cell', key: cellKey({ radio: 'lte', mcc: 262, mnc: 1, lac: 400, cid: 1000 + i }), ...place(1000), range: 1500 });

function place(spread: number): { lat: number; lon: number } {
  const [lat, lon] = offset(...CENTRE, (random() - 0.5) * spread, (random() - 0.5) * spread);
  return { lat, lon };
}

/** One submission of a device standing within range of `s`, GPS error ~ N(0, 8 m). */
function submission(s: TrueStation, at: number): GeoSubmission {
  const angle = random() * 2 * Math.PI;
  const dist = random() * s.range;
  const [devLat, devLon] = offset(s.lat, s.lon, Math.sin(angle) * dist, Math.cos(angle) * dist);
  const [gpsLat, gpsLon] = offset(devLat, devLon, gauss(random) * 8, gauss(random) * 8);
  const seen = truth.filter((t) => t.kind === s.kind && distanceMeters(t.lat, t.lon, devLat, devLon) <= t.range);
  const cells = truth.filter((t) => t.kind === 'cell' && distanceMeters(t.lat, t.lon, devLat, devLon) <= t.range);
  return {
    observationId: `o-${at}-${s.key}`, receivedAt: at, eventTime: at, apiKeyId: 'k',
    position: { latitude: gpsLat, longitude: gpsLon, accuracy: 5 + random() * 20, altitude: null, source: 'gps', age: Math.round(random() * 1500), speed: random() * 2, heading: null },
    wifi: s.kind === 'wifi' ? seen.map((t) => ({ mac: t.mac!, ssid: 'net', signal: -50 - Math.round(random() * 40), channel: 6, age: Math.round(random() * 3000) })) : [],
    bluetooth: s.kind === 'bluetooth' ? seen.map((t) => ({ mac: t.mac!, signal: -70 - Math.round(random() * 30) })) : [],
    cells: cells.map((c) => ({ radio: 'lte', mcc: 262, mnc: 1, lac: 400, cid: Number(c.key.split('/')[4]), signal: -80 - Math.round(random() * 30) })),
  };
}

function learn(): Map<string, StationRecord> {
  const table = new Map<string, StationRecord>();
  const start = NOW - 7 * DAY;
  for (let hour = 0; hour < 7 * 24; hour += 4) {
    const at = start + hour * 3_600_000;
    const batch = truth.filter((t) => t.kind !== 'cell').flatMap((s) => (random() < 0.5 ? [submission(s, at)] : []));
    const observations = batch.flatMap(observationsFromSubmission);
    for (const [id, group] of groupByStation(observations)) {
      const first = group[0]!;
      const update = updateStation(first.kind, first.key, table.get(id) ?? null, group, at);
      if (update.station !== null) table.set(id, update.station);
    }
  }
  return table;
}

describe('learning station positions from noisy submissions', () => {
  const table = learn();
  const learned = (t: TrueStation) => table.get(`${t.kind}:${t.key}`);

  it('learns every station and blocks none', () => {
    for (const t of truth) expect(learned(t)).toMatchObject({ blockCount: 0 });
  });

  // A station is placed at the weighted centre of where it was seen, so its
  // error is a fraction of its range (WiFi 80 m, Bluetooth 15 m, cells 1.5 km;
  // cells are only seen from the 600 m where the devices are).
  it.each([
    ['wifi', 20, 40],
    ['bluetooth', 5, 10],
    ['cell', 750, 1000],
  ] as const)('places %s stations within a median of %i m and at most %i m of the truth', (kind, median, max) => {
    const errors = truth.filter((t) => t.kind === kind).map((t) => distanceMeters(learned(t)!.lat!, learned(t)!.lon!, t.lat, t.lon)).sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]!).toBeLessThan(median);
    expect(errors[errors.length - 1]!).toBeLessThan(max);
  });

  it('estimates radii that cover where each station was seen', () => {
    for (const t of truth.filter((x) => x.kind === 'wifi')) {
      expect(learned(t)!.radius!).toBeGreaterThan(t.range / 2);
      expect(learned(t)!.radius!).toBeLessThan(t.range * 3);
    }
  });

  it('derives the cell area from the learned cells', () => {
    const cells = [...table.values()].filter((s) => s.kind === 'cell');
    const area = aggregateCellArea('lte/262/1/400', cells, null, NOW)!;
    expect(area.samples).toBe(4);
    expect(distanceMeters(area.lat!, area.lon!, ...CENTRE)).toBeLessThan(1500);
  });

  it('lets the gateway locate a new device from the learned WiFi networks within its stated accuracy', () => {
    const found: FoundStations = { wifi: [...table.values()].filter((s) => s.kind === 'wifi'), bluetooth: [], cells: [], cellAreas: [] };
    let answered = 0;
    const wifiTruth = truth.filter((t) => t.kind === 'wifi');
    for (let n = 0; n < 20; n += 1) {
      const near = wifiTruth[Math.floor(random() * wifiTruth.length)]!;
      const [lat, lon] = offset(near.lat, near.lon, (random() - 0.5) * 40, (random() - 0.5) * 40);
      const here = { lat, lon };
      const seen = truth.filter((t) => t.kind === 'wifi' && distanceMeters(t.lat, t.lon, here.lat, here.lon) <= t.range);
      if (seen.length < 2) continue;
      const request = parseGeolocateRequest({ wifiAccessPoints: seen.map((t) => ({ macAddress: t.mac, signalStrength: -70 })) });
      const { answer } = searchPosition(request, { geoip: null, stations: found }, NOW);
      if (answer === null) continue;
      answered += 1;
      expect(distanceMeters(answer.lat, answer.lon, here.lat, here.lon)).toBeLessThanOrEqual(Math.max(answer.accuracy, 60) * 1.5);
    }
    expect(answered).toBeGreaterThanOrEqual(15);
  });
});
