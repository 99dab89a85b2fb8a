import {
  circleRadiusMeters, DAY_MS, distanceMeters, isBlocked, stationId, type StationKind, type StationRecord,
} from '@vane/locate';
import { foreignObservation } from './errors';
import type { Observation, ObservedKind } from './observation';
import { observationWeight } from './observation-weight';

/**
 * Folding a batch of observations into one station (Ichnaea's station
 * state machine), a pure function of (stored record, batch, now).
 *
 * - Observations of weight 0 are ignored; a blocked station's are dropped.
 * - Satellite-based observations are used when the batch has any, else the
 *   query-based ones.
 * - The batch is consistent when the box around its positions spans at
 *   most the consistency radius (100 m Bluetooth, 5 km WiFi, 100 km cell);
 *   it agrees with the station when every observation lies within that
 *   radius of the stored position.
 * - A consistent batch creates a new station, or moves an agreeing one to
 *   the weighted mean of the batch and the stored position, whose weight
 *   counts at most 10,000 (so a station can still move); a satellite batch
 *   replaces a position learned from queries only; a query batch that
 *   agrees with a satellite position just confirms it (last seen today).
 * - A batch that disagrees with the stored position, or is itself
 *   inconsistent, marks the station as moved: its position is cleared and
 *   it is blocked (48 hours, longer when blocked often: see `isBlocked` in
 *   @vane/locate). A position not modified for a year is replaced rather
 *   than defended.
 * - `radius` is the distance from the position to the farthest corner of
 *   every position seen; `samples` and `weight` accumulate (weight capped at 10⁹).
 */
export const CONSISTENCY_RADIUS_METERS: Record<ObservedKind, number> = { bluetooth: 100, wifi: 5_000, cell: 100_000 };
export const MAX_OLD_WEIGHT = 10_000;
export const MAX_WEIGHT = 1e9;
export const OLD_POSITION_DAYS = 365;

export type Transition =
  | 'new' // first seen, consistent: a position
  | 'new_block' // first seen, inconsistent: known but blocked
  | 'change' // position updated
  | 'replace' // position replaced by the batch
  | 'confirm' // last seen moved to today, position untouched
  | 'block' // moved: position cleared, blocked
  | 'blocked' // batch dropped, station blocked
  | 'none'; // nothing to do

export interface StationUpdate {
  /** The record to store; unchanged (the same object or null) when `transition` is blocked or none. */
  station: StationRecord | null;
  transition: Transition;
  /** Observations with a non-zero weight in the batch. */
  used: number;
}

export interface UpdateOptions {
  /** Region (ISO 3166-1 alpha-2) of a position, when the caller has a geocoder; the region is kept otherwise. */
  regionOf?: (lat: number, lon: number) => string | null;
}

interface Weighted {
  o: Observation;
  w: number;
}

interface BatchSummary {
  lat: number;
  lon: number;
  minLat: number;
  minLon: number;
  maxLat: number;
  maxLon: number;
  samples: number;
  weight: number;
}

function summarise(batch: readonly Weighted[], maxDistance: number): BatchSummary | null {
  const lats = batch.map((b) => b.o.lat);
  const lons = batch.map((b) => b.o.lon);
  const box = { minLat: Math.min(...lats), maxLat: Math.max(...lats), minLon: Math.min(...lons), maxLon: Math.max(...lons) };
  if (distanceMeters(box.minLat, box.minLon, box.maxLat, box.maxLon) > maxDistance) return null;
  const weight = batch.reduce((s, b) => s + b.w, 0);
  const lat = batch.reduce((s, b) => s + b.o.lat * b.w, 0) / weight;
  const lon = batch.reduce((s, b) => s + b.o.lon * b.w, 0) / weight;
  return { lat, lon, ...box, samples: batch.length, weight };
}

const sameUtcDay = (a: number, b: number): boolean => Math.floor(a / DAY_MS) === Math.floor(b / DAY_MS);

export function updateStation(
  kind: ObservedKind,
  key: string,
  stored: StationRecord | null,
  observations: readonly Observation[],
  now: number,
  options: UpdateOptions = {},
): StationUpdate {
  const id = stationId({ kind, key });
  for (const o of observations) if (o.kind !== kind || o.key !== key) throw foreignObservation(id, stationId(o));
  const weighted = observations.map((o) => ({ o, w: observationWeight(o) })).filter((b) => b.w > 0);
  if (weighted.length === 0) return { station: stored, transition: 'none', used: 0 };
  if (stored !== null && isBlocked(stored, now)) return { station: stored, transition: 'blocked', used: weighted.length };

  const gnss = weighted.filter((b) => b.o.source === 'gnss');
  const source: 'gnss' | 'query' = gnss.length > 0 ? 'gnss' : 'query';
  const batch = gnss.length > 0 ? gnss : weighted;
  const maxDistance = CONSISTENCY_RADIUS_METERS[kind];
  const summary = summarise(batch, maxDistance);
  const used = batch.length;
  const regionOf = options.regionOf ?? null;

  const blank = (): StationRecord => ({
    kind: kind as StationKind, key, lat: null, lon: null, minLat: null, minLon: null, maxLat: null, maxLon: null,
    radius: null, region: null, samples: 0, weight: 0, source: null, created: now, modified: now, lastSeen: null,
    blockFirst: null, blockLast: null, blockCount: 0,
  });

  const fresh = (base: StationRecord, s: BatchSummary): StationRecord => ({
    ...base,
    lat: s.lat, lon: s.lon, minLat: s.minLat, minLon: s.minLon, maxLat: s.maxLat, maxLon: s.maxLon,
    radius: circleRadiusMeters(s.lat, s.lon, s),
    region: regionOf ? regionOf(s.lat, s.lon) : base.region,
    samples: s.samples, weight: Math.min(s.weight, MAX_WEIGHT), source, modified: now, lastSeen: now,
  });

  const block = (base: StationRecord): StationRecord => ({
    ...base,
    lat: null, lon: null, minLat: null, minLon: null, maxLat: null, maxLon: null, radius: null,
    samples: 0, weight: 0, source: null, lastSeen: null, modified: now,
    blockFirst: base.blockFirst ?? now, blockLast: now, blockCount: base.blockCount + 1,
  });

  if (stored === null) {
    if (summary === null) return { station: { ...blank(), blockFirst: now, blockLast: now, blockCount: 1 }, transition: 'new_block', used };
    return { station: fresh(blank(), summary), transition: 'new', used };
  }
  if (stored.lat === null || stored.lon === null) {
    if (summary === null) return { station: stored, transition: 'none', used };
    return { station: merge(stored, summary, source, now, regionOf), transition: 'change', used };
  }
  const { lat: sLat, lon: sLon } = stored;
  const agrees = batch.every((b) => distanceMeters(b.o.lat, b.o.lon, sLat, sLon) <= maxDistance);
  if (summary === null) return { station: block(stored), transition: 'block', used };
  if (!agrees) {
    const old = now - stored.modified > OLD_POSITION_DAYS * DAY_MS;
    return old ? { station: fresh(stored, summary), transition: 'replace', used } : { station: block(stored), transition: 'block', used };
  }
  if (stored.source === 'query' && source === 'gnss') return { station: fresh(stored, summary), transition: 'replace', used };
  if (stored.source !== 'query' && source === 'query') {
    if (stored.lastSeen !== null && sameUtcDay(stored.lastSeen, now)) return { station: stored, transition: 'none', used };
    return { station: { ...stored, lastSeen: now }, transition: 'confirm', used };
  }
  return { station: merge(stored, summary, source, now, regionOf), transition: 'change', used };
}

function merge(
  stored: StationRecord,
  s: BatchSummary,
  source: 'gnss' | 'query',
  now: number,
  regionOf: ((lat: number, lon: number) => string | null) | null,
): StationRecord {
  const hasPosition = stored.lat !== null && stored.lon !== null;
  const oldWeight = hasPosition ? Math.min(stored.weight, MAX_OLD_WEIGHT) : 0;
  const lat = (s.lat * s.weight + (stored.lat ?? 0) * oldWeight) / (s.weight + oldWeight);
  const lon = (s.lon * s.weight + (stored.lon ?? 0) * oldWeight) / (s.weight + oldWeight);
  const pick = (f: (values: number[]) => number, a: number, b: number | null, c: number | null): number => f([a, ...[b, c].filter((v): v is number => v !== null)]);
  const box = {
    minLat: pick((v) => Math.min(...v), s.minLat, stored.minLat, stored.lat),
    maxLat: pick((v) => Math.max(...v), s.maxLat, stored.maxLat, stored.lat),
    minLon: pick((v) => Math.min(...v), s.minLon, stored.minLon, stored.lon),
    maxLon: pick((v) => Math.max(...v), s.maxLon, stored.maxLon, stored.lon),
  };
  let region = stored.region;
  if (regionOf) {
    const here = regionOf(lat, lon);
    if (here !== region) region = here;
  }
  return {
    ...stored,
    lat, lon, ...box,
    radius: circleRadiusMeters(lat, lon, box),
    region,
    samples: stored.samples + s.samples,
    weight: Math.min(stored.weight + s.weight, MAX_WEIGHT),
    source, modified: now, lastSeen: now,
  };
}
