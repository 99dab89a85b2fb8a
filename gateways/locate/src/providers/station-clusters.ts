import { distanceMeters } from '../geo-distance';

/**
 * Groups of stations that agree with each other: complete-linkage
 * clustering, so that no two stations of a group are more than
 * `maxDistance` metres apart. Only groups of at least two stations are
 * returned — a single station never yields a position (privacy: one real
 * network plus a made-up one must not reveal where the real one is).
 *
 * At most `MAX_CLUSTER_INPUT` points (the caller's best first) are
 * clustered, which bounds the cost of a query naming hundreds of networks.
 */
export const MAX_CLUSTER_INPUT = 100;

export function clusterPoints<T extends { lat: number; lon: number }>(points: readonly T[], maxDistance: number): T[][] {
  const items = points.slice(0, MAX_CLUSTER_INPUT);
  const n = items.length;
  if (n < 2) return [];
  // Complete linkage: the distance of two groups is their farthest pair.
  const dist: number[][] = items.map((a) => items.map((b) => distanceMeters(a.lat, a.lon, b.lat, b.lon)));
  const groups: (number[] | null)[] = items.map((_, i) => [i]);
  const link = (a: number[], b: number[]): number => {
    let max = 0;
    for (const i of a) for (const j of b) max = Math.max(max, dist[i]![j]!);
    return max;
  };
  for (;;) {
    let best: [number, number] | null = null;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i += 1) {
      const gi = groups[i];
      if (!gi) continue;
      for (let j = i + 1; j < n; j += 1) {
        const gj = groups[j];
        if (!gj) continue;
        const d = link(gi, gj);
        if (d < bestDistance) {
          bestDistance = d;
          best = [i, j];
        }
      }
    }
    if (best === null || bestDistance > maxDistance) break;
    groups[best[0]] = [...groups[best[0]]!, ...groups[best[1]]!];
    groups[best[1]] = null;
  }
  return groups.filter((g): g is number[] => g !== null && g.length >= 2).map((g) => g.map((i) => items[i]!));
}
