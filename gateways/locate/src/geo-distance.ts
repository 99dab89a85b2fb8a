/**
 * Great-circle geometry on a spherical Earth (mean radius 6,371 km): exact
 * enough for the distances the location service compares (metres to
 * hundreds of kilometres).
 */
export const EARTH_RADIUS_METERS = 6371008.8;

const RAD = Math.PI / 180;

/** Haversine distance in metres between two WGS 84 positions in degrees. */
export function distanceMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(a)));
}

export interface BoundingBox {
  minLat: number;
  minLon: number;
  maxLat: number;
  maxLon: number;
}

/**
 * Radius in whole metres of the circle around (lat, lon) that holds the box:
 * the distance to its farthest corner, rounded up.
 */
export function circleRadiusMeters(lat: number, lon: number, box: BoundingBox): number {
  const corners: [number, number][] = [
    [box.minLat, box.minLon],
    [box.minLat, box.maxLon],
    [box.maxLat, box.minLon],
    [box.maxLat, box.maxLon],
  ];
  let radius = 0;
  for (const [cLat, cLon] of corners) radius = Math.max(radius, distanceMeters(lat, lon, cLat, cLon));
  return Math.ceil(radius);
}

/** Rounds to 7 decimal places (about 1 cm), the precision answers are given in. */
export function roundDegrees(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}
