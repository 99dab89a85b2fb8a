import { distanceMeters } from '../geo-distance';

/**
 * A found station as a point of evidence for the client's position: where
 * it is, how much it is trusted (`score`) and how it was seen in the query
 * (age in ms, at least 1 s; signal in dBm, the kind's weakest when unknown).
 */
export interface Evidence {
  lat: number;
  lon: number;
  /** The station's radius in metres (null when unknown). */
  radius: number | null;
  age: number;
  signal: number;
  score: number;
}

/**
 * Weight of one station in the client's position: its score, less for old
 * sightings (sqrt(2000 ms / age), at most 1) and much more for strong
 * signals (1 / dBm², so -50 dBm counts 3.2× as much as -90 dBm).
 */
export function evidenceWeight(e: Evidence): number {
  return (e.score * Math.min(Math.sqrt(2000 / e.age), 1)) / (e.signal * e.signal);
}

/** Weighted centre of the points (longitudes unwrapped around the first point). */
export function weightedCentre(points: readonly Evidence[]): { lat: number; lon: number } {
  const ref = points[0]!.lon;
  let sw = 0;
  let lat = 0;
  let lon = 0;
  for (const p of points) {
    // Equal weights when every weight underflows (e.g. zero scores).
    const w = evidenceWeight(p) || 1e-300;
    let plon = p.lon;
    if (plon - ref > 180) plon -= 360;
    if (plon - ref < -180) plon += 360;
    sw += w;
    lat += w * p.lat;
    lon += w * plon;
  }
  lon /= sw;
  if (lon > 180) lon -= 360;
  if (lon < -180) lon += 360;
  return { lat: lat / sw, lon };
}

/** Linear-interpolated percentile (0–100) of the values, as numpy computes it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/**
 * The client's position inside a group of agreeing stations: the weighted
 * centre, with the 95th percentile of the distances to the stations as
 * accuracy, clamped to [minAccuracy, maxAccuracy].
 */
export function aggregatePosition(points: readonly Evidence[], minAccuracy: number, maxAccuracy: number): { lat: number; lon: number; accuracy: number } {
  const centre = weightedCentre(points);
  const distances = points.map((p) => distanceMeters(centre.lat, centre.lon, p.lat, p.lon));
  const accuracy = Math.min(Math.max(percentile(distances, 95), minAccuracy), maxAccuracy);
  return { ...centre, accuracy };
}
