import type { StationKind, StationRecord } from '@vane/locate';

/**
 * A station record as a row of its Scylla table (snake_case columns of
 * tables.ts; times as Date, which cassandra-driver maps to `timestamp`) and
 * back. `kind` is not a column: it is the table.
 */
export interface StationRow {
  key: string;
  lat: number | null;
  lon: number | null;
  min_lat: number | null;
  min_lon: number | null;
  max_lat: number | null;
  max_lon: number | null;
  radius: number | null;
  region: string | null;
  samples: number;
  weight: number;
  source: string | null;
  created: Date;
  modified: Date;
  last_seen: Date | null;
  block_first: Date | null;
  block_last: Date | null;
  block_count: number;
}

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const ms = (d: Date | null | undefined): number | null => (d === null || d === undefined ? null : d.getTime());

export function toStationRow(s: StationRecord): StationRow {
  return {
    key: s.key, lat: s.lat, lon: s.lon, min_lat: s.minLat, min_lon: s.minLon, max_lat: s.maxLat, max_lon: s.maxLon,
    radius: s.radius, region: s.region, samples: s.samples, weight: s.weight, source: s.source,
    created: new Date(s.created), modified: new Date(s.modified), last_seen: date(s.lastSeen),
    block_first: date(s.blockFirst), block_last: date(s.blockLast), block_count: s.blockCount,
  };
}

export function fromStationRow(kind: StationKind, row: StationRow): StationRecord {
  return {
    kind, key: row.key, lat: row.lat, lon: row.lon, minLat: row.min_lat, minLon: row.min_lon, maxLat: row.max_lat, maxLon: row.max_lon,
    radius: row.radius, region: row.region, samples: Number(row.samples), weight: row.weight,
    source: row.source === 'gnss' || row.source === 'query' ? row.source : null,
    created: row.created.getTime(), modified: row.modified.getTime(), lastSeen: ms(row.last_seen),
    blockFirst: ms(row.block_first), blockLast: ms(row.block_last), blockCount: row.block_count,
  };
}
