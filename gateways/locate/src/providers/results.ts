import { distanceMeters } from '../geo-distance';
import type { FallbackName } from '../responses';
import type { StationRef } from '../station-keys';

/**
 * Candidate answers of the providers and how the best one is chosen
 * (Ichnaea's rules).
 *
 * Positions: results are grouped around each result (sorted by accuracy)
 * with every less accurate result within 1.5× either accuracy of it; the
 * group with the highest summed score wins (ties: the highest single
 * score), so agreeing results beat a lone outlier; within it the most
 * accurate result is answered (ties: higher score).
 *
 * Regions: results are grouped by region code; the highest summed score
 * wins (ties: the larger region); within it internal evidence is answered
 * before GeoIP.
 */
export type ResultSource = 'internal' | 'geoip';

export interface PositionResult {
  lat: number;
  lon: number;
  /** 95% radius in metres. */
  accuracy: number;
  score: number;
  source: ResultSource;
  fallback: FallbackName | null;
  /** Stations the result was computed from (empty for GeoIP). */
  used: StationRef[];
}

export interface RegionResult {
  code: string;
  name: string;
  /** Radius of the region in metres (an upper bound). */
  accuracy: number;
  score: number;
  source: ResultSource;
  fallback: FallbackName | null;
}

/** Accuracy classes: what a query could hope for, and what a result is worth. */
export type DataAccuracy = 'high' | 'medium' | 'low' | 'none';

export const DATA_ACCURACY_METERS: Record<DataAccuracy, number> = {
  high: 500,
  medium: 50_000,
  low: 40_000_000,
  none: Number.POSITIVE_INFINITY,
};

export function accuracyClass(meters: number): DataAccuracy {
  if (meters <= DATA_ACCURACY_METERS.high) return 'high';
  if (meters <= DATA_ACCURACY_METERS.medium) return 'medium';
  if (meters <= DATA_ACCURACY_METERS.low) return 'low';
  return 'none';
}

export function bestPositionCluster(results: readonly PositionResult[]): PositionResult[] {
  if (results.length <= 1) return [...results];
  const sorted = [...results].sort((a, b) => a.accuracy - b.accuracy);
  let best: PositionResult[] = [];
  let bestKey: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  sorted.forEach((first, i) => {
    const cluster = [first];
    for (let j = i + 1; j < sorted.length; j += 1) {
      const other = sorted[j]!;
      const apart = distanceMeters(first.lat, first.lon, other.lat, other.lon);
      if (apart <= Math.max(first.accuracy, other.accuracy) * 1.5) cluster.push(other);
    }
    const key: [number, number] = [cluster.reduce((s, r) => s + r.score, 0), Math.max(...cluster.map((r) => r.score))];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
      best = cluster;
      bestKey = key;
    }
  });
  return best;
}

export function bestPosition(results: readonly PositionResult[]): PositionResult | null {
  const cluster = bestPositionCluster(results);
  if (cluster.length === 0) return null;
  return [...cluster].sort((a, b) => a.accuracy - b.accuracy || b.score - a.score)[0]!;
}

/**
 * Whether the results already answer the query as well as it could be:
 * the best group has a summed score of at least 1 and reaches the accuracy
 * class the query's data allows. A provider may skip its search then.
 */
export function positionsSatisfy(results: readonly PositionResult[], expected: DataAccuracy): boolean {
  const cluster = bestPositionCluster(results);
  if (cluster.length === 0) return false;
  const score = cluster.reduce((s, r) => s + r.score, 0);
  const best = Math.min(...cluster.map((r) => r.accuracy));
  return score >= 1 && best <= DATA_ACCURACY_METERS[expected];
}

export function bestRegion(results: readonly RegionResult[]): RegionResult | null {
  if (results.length === 0) return null;
  const groups = new Map<string, RegionResult[]>();
  for (const r of results) groups.set(r.code, [...(groups.get(r.code) ?? []), r]);
  let best: RegionResult[] = [];
  let bestKey: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const group of groups.values()) {
    const key: [number, number] = [group.reduce((s, r) => s + r.score, 0), Math.max(...group.map((r) => r.accuracy))];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
      best = group;
      bestKey = key;
    }
  }
  const rank = (r: RegionResult): number => (r.source === 'internal' ? 0 : 1);
  return [...best].sort((a, b) => rank(a) - rank(b) || b.score - a.score)[0] ?? null;
}
