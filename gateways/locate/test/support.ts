import type { StationKind, StationRecord } from '../src';

export const DAY = 86_400_000;
/** A fixed "now" for every test: 2026-03-01T12:00:00Z. */
export const NOW = Date.UTC(2026, 2, 1, 12);

/** A well-established station: known for a year, seen today, many samples. */
export function station(kind: StationKind, key: string, lat: number, lon: number, over: Partial<StationRecord> = {}): StationRecord {
  return {
    kind, key, lat, lon,
    minLat: lat - 0.0005, minLon: lon - 0.0005, maxLat: lat + 0.0005, maxLon: lon + 0.0005,
    radius: 80, region: null, samples: 200, weight: 500, source: 'gnss',
    created: NOW - 365 * DAY, modified: NOW - DAY, lastSeen: NOW - DAY,
    blockFirst: null, blockLast: null, blockCount: 0,
    ...over,
  };
}

/** Point `meters` north and east of (lat, lon) (small distances). */
export function offset(lat: number, lon: number, north: number, east: number): [number, number] {
  const dLat = north / 111_195;
  const dLon = east / (111_195 * Math.cos((lat * Math.PI) / 180));
  return [lat + dLat, lon + dLon];
}
