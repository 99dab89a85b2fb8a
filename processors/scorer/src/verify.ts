import type { ClickHouseClient } from '@clickhouse/client';
import type { Client as CqlClient } from 'cassandra-driver';
import { clickhouseCountAndHash, clickhouseDigest, hexChecksum, scyllaDigest, type TableDigest } from '@vane/runtime';

/** Columns of Scylla `scores` that define a score (not the publication bookkeeping `seq`). */
const scoreColumns = ['location_key', 'provider', 'level', 'rtt_p50', 'rtt_p90', 'availability', 'throughput_p50', 'samples', 'confidence', 'late_dropped', 'window_start', 'window_end', 'computed_at', 'model_version', 'source_offsets'];

export function scyllaScoresDigest(cql: CqlClient, keyspace: string, table: string): Promise<TableDigest> {
  return scyllaDigest(cql, keyspace, table, scoreColumns);
}

export function clickhouseMeasurementsDigest(ch: ClickHouseClient, database: string, table: string): Promise<TableDigest> {
  return clickhouseDigest(ch, database, table, ['measurement_id', 'provider', 'probe_type', 'value', 'event_ms', 'src_partition', 'src_offset']);
}

export function clickhouseLateDigest(ch: ClickHouseClient, database: string, table: string): Promise<TableDigest> {
  return clickhouseDigest(ch, database, table, ['measurement_id', 'event_ms', 'watermark_ms', 'src_partition', 'src_offset']);
}

/** The latest published score per key (history rows themselves depend on when scores were published, so only their count is shown). */
export async function clickhouseHistoryDigest(ch: ClickHouseClient, database: string, table: string): Promise<TableDigest> {
  const latest = (c: string): string => `argMax(${c}, src_offset)`;
  const nullable = (c: string): string => `ifNull(${latest(c)}, -1)`;
  const r = await clickhouseCountAndHash(
    ch,
    `SELECT count() AS n, toString(sum(h)) AS h FROM (
      SELECT cityHash64(provider, location_key, ${latest('level')}, ${nullable('rtt_p50')}, ${nullable('rtt_p90')}, ${nullable('availability')}, ${nullable('throughput_p50')},
        ${latest('samples')}, ${latest('confidence')}, ${latest('computed_ms')}, ${latest('model_version')}, ${latest('source_offsets')}) AS h
      FROM ${database}.${table} FINAL GROUP BY provider, location_key)`,
  );
  const all = await clickhouseCountAndHash(ch, `SELECT count() AS n, '0' AS h FROM ${database}.${table} FINAL`);
  return { table: `clickhouse ${table} (latest per key)`, rows: Number(r.n), checksum: hexChecksum(r.h), note: `${all.n} history rows` };
}
