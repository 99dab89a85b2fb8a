import { geoMinuteToJson, type GeoEvent, type GeoMinute } from './buckets';

/**
 * Glow's tables. ClickHouse DDL runs on 18.16 and current releases
 * (DateTime('UTC'), no Nullable in keys, no TTL/Map/LowCardinality/DateTime64):
 * - `downloads`: one row per counted record, ReplacingMergeTree keyed by
 *   its source topic/partition/offset, so a replayed offset collapses.
 * - `geo_minutes`: one row per site, minute, level, code and type with the
 *   minute's count so far, ReplacingMergeTree(version) with version = the
 *   minute's fold count: the latest count wins, a replay ends on the same.
 *   Read with FINAL (or argMax(count, version)) for exact answers.
 * Scylla `geo_minutes`: the minute's whole bucket as JSON (buckets.ts
 * `geoMinuteToJson`) per ((site_id, day), minute); write USING TIMESTAMP
 * <folds>.
 * Placeholders as the runtime's TableMigration expects.
 */
export interface TableDefinition {
  table: string;
  ddl: string[];
}

export const geoTableNames = { downloads: 'downloads', geoMinutes: 'geo_minutes' } as const;

export const clickhouseTables: readonly TableDefinition[] = [
  {
    table: geoTableNames.downloads,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        site_id String,
        timestamp DateTime('UTC'),
        event_ms Int64,
        event_id String,
        type String,
        product String,
        continent String,
        country String,
        region String,
        source_topic String,
        source_partition UInt16,
        source_offset UInt64
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (site_id, timestamp, source_topic, source_partition, source_offset)`,
    ],
  },
  {
    table: geoTableNames.geoMinutes,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        site_id String,
        minute DateTime('UTC'),
        level String,
        code String,
        type String,
        count UInt64,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(minute)
      ORDER BY (site_id, minute, level, code, type)`,
    ],
  },
];

export const scyllaTables: readonly TableDefinition[] = [
  {
    table: geoTableNames.geoMinutes,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {keyspace}.{table} (
        site_id text,
        day date,
        minute timestamp,
        downloads bigint,
        shares bigint,
        folds bigint,
        model text,
        PRIMARY KEY ((site_id, day), minute)
      ) WITH CLUSTERING ORDER BY (minute DESC)`,
    ],
  },
];

const unixSeconds = (ms: number) => Math.floor(ms / 1000);

export function downloadRow(e: GeoEvent, origin: { topic: string; partition: number; offset: string }) {
  return {
    site_id: e.siteId,
    timestamp: unixSeconds(e.timestamp),
    event_ms: e.timestamp,
    event_id: e.eventId,
    type: e.type,
    product: e.product,
    continent: e.continent,
    country: e.country,
    region: e.region,
    source_topic: origin.topic,
    source_partition: origin.partition,
    source_offset: origin.offset,
  };
}

/** Every non-zero count of a minute as `geo_minutes` rows (total has code ""). */
export function geoMinuteRows(m: GeoMinute) {
  const rows: { site_id: string; minute: number; level: string; code: string; type: string; count: number; version: number }[] = [];
  const push = (level: string, code: string, c: { download: number; share: number }) => {
    for (const type of ['download', 'share'] as const) if (c[type] > 0) rows.push({ site_id: m.siteId, minute: unixSeconds(m.minute), level, code, type, count: c[type], version: m.folds });
  };
  push('total', '', m.total);
  for (const [level, map] of [['continent', m.continents], ['country', m.countries], ['region', m.regions]] as const) {
    for (const code of Object.keys(map).sort()) push(level, code, map[code]!);
  }
  return rows;
}

export function scyllaGeoMinuteRow(m: GeoMinute) {
  return {
    values: { site_id: m.siteId, day: new Date(m.minute).toISOString().slice(0, 10), minute: new Date(m.minute), downloads: m.total.download, shares: m.total.share, folds: m.folds, model: geoMinuteToJson(m) },
    writeTimestamp: m.folds,
  };
}
