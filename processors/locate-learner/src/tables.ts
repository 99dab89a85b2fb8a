import type { TableMigration } from '@vane/runtime';
import type { StationKind } from '@vane/locate';

/**
 * The learner's tables.
 *
 * Scylla (serving, read by the gateway by primary key): one table per
 * station kind, one row per station, keyed by the station key of
 * @vane/locate (station-keys.ts). The learner writes whole rows; writes
 * carry `USING TIMESTAMP` derived from the input offset (the runtime's
 * rule), so a replayed batch rewrites the same row and an older write never
 * wins over a newer one.
 *
 * ClickHouse (analysts; ClickHouse 18.16 and current: no DateTime64, Map,
 * LowCardinality, TTL, nor Nullable in keys):
 * - `stations`: every stored version of every station, ReplacingMergeTree
 *   on `version` (the input offset that produced it) keyed by (kind, key):
 *   `FINAL` (or argMax(…, version)) gives the current table; a replay
 *   writes the same (kind, key, version) rows, which collapse.
 * - `observations`: every weighted observation, keyed by its source record
 *   (topic, partition, offset) and station, so a replay collapses too.
 */
export const STATION_TABLES: Readonly<Record<StationKind, string>> = {
  wifi: 'stations_wifi',
  bluetooth: 'stations_bluetooth',
  cell: 'stations_cell',
  cellArea: 'cell_areas',
};

const stationColumns = `
        key text PRIMARY KEY,
        lat double,
        lon double,
        min_lat double,
        min_lon double,
        max_lat double,
        max_lon double,
        radius int,
        region text,
        samples bigint,
        weight double,
        source text,
        created timestamp,
        modified timestamp,
        last_seen timestamp,
        block_first timestamp,
        block_last timestamp,
        block_count int`;

export const scyllaTables: readonly TableMigration[] = Object.values(STATION_TABLES).map((table) => ({
  table,
  ddl: [`CREATE TABLE IF NOT EXISTS {keyspace}.{table} (${stationColumns}\n      )`],
}));

export const clickhouseTables: readonly TableMigration[] = [
  {
    table: 'stations',
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        kind String,
        key String,
        lat Nullable(Float64),
        lon Nullable(Float64),
        radius Nullable(UInt32),
        region Nullable(String),
        samples UInt64,
        weight Float64,
        source Nullable(String),
        created DateTime('UTC'),
        modified DateTime('UTC'),
        modified_ms Int64,
        last_seen Nullable(DateTime('UTC')),
        block_last Nullable(DateTime('UTC')),
        block_count UInt32,
        blocked UInt8,
        transition String,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      ORDER BY (kind, key)`,
    ],
  },
  {
    table: 'observations',
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        kind String,
        key String,
        observed_at DateTime('UTC'),
        observed_ms Int64,
        lat Float64,
        lon Float64,
        accuracy Nullable(Float64),
        age Nullable(Int64),
        speed Nullable(Float64),
        signal Nullable(Int32),
        source String,
        weight Float64,
        src_topic String,
        src_partition UInt16,
        src_offset UInt64
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(observed_at)
      ORDER BY (src_topic, src_partition, src_offset, kind, key)`,
    ],
  },
];
