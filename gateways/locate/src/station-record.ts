import type { StationKind } from './station-keys';

/**
 * What is known about one station (WiFi access point, Bluetooth beacon,
 * cell, or cell area): written by the learner, read by the gateway. A plain
 * serialisable record — one row of the station tables; times are ms since
 * the epoch (UTC).
 *
 * - `lat`/`lon` are null while the station has no trusted position (it was
 *   blocked, or only ever seen inconsistently).
 * - `radius`: metres from the position to the farthest corner of the box of
 *   every position it was seen at (`min*`/`max*`).
 * - `samples`, `weight`: observations folded in and their summed weight
 *   (for a cell area, `samples` is the number of cells in it).
 * - `source`: whether the position came from satellite fixes ("gnss",
 *   which also covers fused and fixed positions) or from locate queries.
 * - `blockFirst`/`blockLast`/`blockCount`: when the station was found to
 *   have moved (see `isBlocked`).
 */
export interface StationRecord {
  kind: StationKind;
  key: string;
  lat: number | null;
  lon: number | null;
  minLat: number | null;
  minLon: number | null;
  maxLat: number | null;
  maxLon: number | null;
  radius: number | null;
  region: string | null;
  samples: number;
  weight: number;
  source: 'gnss' | 'query' | null;
  created: number;
  modified: number;
  lastSeen: number | null;
  blockFirst: number | null;
  blockLast: number | null;
  blockCount: number;
}

export const DAY_MS = 86_400_000;
/** A station found to have moved is ignored, and its observations dropped, for this long. */
export const TEMPORARY_BLOCK_MS = 2 * DAY_MS;
/** A station may be blocked once per this many days of its known life before it stays blocked. */
export const BLOCKS_PER_DAYS = 30;

/**
 * Whether a station is blocked at `now` (Ichnaea's rule): within 48 hours of
 * its last block, or — permanently, until it has lived long enough — while
 * it has been blocked at least once per 30 days of its age
 * (`blockCount >= round(ageDays / 30)`; a station blocked once in its first
 * 45 days stays blocked until then).
 */
export function isBlocked(station: Pick<StationRecord, 'created' | 'blockLast' | 'blockCount'>, now: number): boolean {
  if (station.blockLast !== null && now - station.blockLast < TEMPORARY_BLOCK_MS) return true;
  if (station.blockCount > 0) {
    const ageDays = Math.floor(Math.abs(now - station.created) / DAY_MS);
    if (station.blockCount >= Math.round(ageDays / BLOCKS_PER_DAYS)) return true;
  }
  return false;
}

/** A station the gateway may use: not blocked and with a position. */
export function isUsable(station: StationRecord, now: number): station is StationRecord & { lat: number; lon: number } {
  return station.lat !== null && station.lon !== null && !isBlocked(station, now);
}
