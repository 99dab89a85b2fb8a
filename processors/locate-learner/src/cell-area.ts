import { areaKeyOfCell, circleRadiusMeters, type StationRecord } from '@vane/locate';

/**
 * A cell area (location/tracking area) from the learned cells in it, as
 * Ichnaea derives it after the cells changed: the plain mean of the cells'
 * positions, the box of every cell's box, `radius` to its farthest corner,
 * `samples` = the number of positioned cells, `lastSeen` the latest cell's,
 * and the region most of its cells are in (ties: the first in code order).
 * Null when no cell of the area has a position (the area row is deleted).
 */
export function aggregateCellArea(areaKey: string, cells: readonly StationRecord[], stored: StationRecord | null, now: number): StationRecord | null {
  const positioned = cells.filter(
    (c): c is StationRecord & { lat: number; lon: number } => c.kind === 'cell' && areaKeyOfCell(c.key) === areaKey && c.lat !== null && c.lon !== null,
  );
  if (positioned.length === 0) return null;
  const lat = positioned.reduce((s, c) => s + c.lat, 0) / positioned.length;
  const lon = positioned.reduce((s, c) => s + c.lon, 0) / positioned.length;
  const box = {
    minLat: Math.min(...positioned.map((c) => c.minLat ?? c.lat)),
    maxLat: Math.max(...positioned.map((c) => c.maxLat ?? c.lat)),
    minLon: Math.min(...positioned.map((c) => c.minLon ?? c.lon)),
    maxLon: Math.max(...positioned.map((c) => c.maxLon ?? c.lon)),
  };
  const counts = new Map<string, number>();
  for (const c of positioned) if (c.region !== null) counts.set(c.region, (counts.get(c.region) ?? 0) + 1);
  const top = Math.max(0, ...counts.values());
  const region = [...counts].filter(([, n]) => n === top).map(([r]) => r).sort()[0] ?? null;
  const seen = positioned.map((c) => c.lastSeen).filter((t): t is number => t !== null);
  return {
    kind: 'cellArea',
    key: areaKey,
    lat, lon, ...box,
    radius: circleRadiusMeters(lat, lon, box),
    region,
    samples: positioned.length,
    weight: positioned.reduce((s, c) => s + c.weight, 0),
    source: 'gnss',
    created: stored?.created ?? now,
    modified: now,
    lastSeen: seen.length > 0 ? Math.max(...seen) : null,
    blockFirst: null,
    blockLast: null,
    blockCount: 0,
  };
}
