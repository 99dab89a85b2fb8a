import { DAY_MS, type StationRecord } from '../station-record';

/**
 * Trust in a learned station, Ichnaea's score: the product of
 * - recency: 1 / sqrt(months since last modified + 1) (1.0 this month, 0.2 after two years);
 * - collection span: days between its first (or last-block) day and last-seen
 *   day, over 10, at most 1 (0.1 for a station seen on one day only);
 * - samples: log2(samples) clamped to 0.5–10 for stations, sqrt(cells)
 *   clamped to 1–10 for cell areas; a station always seen at exactly one
 *   spot (radius 0) counts as one sample.
 */
export function stationScore(station: StationRecord, now: number): number {
  const day = (ms: number): number => Math.floor(ms / DAY_MS);
  const monthsOld = Math.floor(Math.max(day(now) - day(station.modified), 0) / 30);
  const recency = 1 / Math.sqrt(monthsOld + 1);
  const lastSeenDay = Math.max(day(station.modified), station.lastSeen === null ? 0 : day(station.lastSeen));
  const sinceDay = station.kind === 'cellArea' || station.blockLast === null ? day(station.created) : Math.max(day(station.created), day(station.blockLast));
  const span = Math.min(Math.max(lastSeenDay - sinceDay, 1) / 10, 1);
  let samples = station.samples;
  if (samples > 1 && !station.radius) samples = 1;
  const sampleWeight =
    station.kind === 'cellArea'
      ? Math.min(Math.sqrt(Math.max(samples, 1)), 10)
      : Math.min(Math.max(Math.log2(Math.max(samples, 1)), 0.5), 10);
  return recency * span * sampleWeight;
}
