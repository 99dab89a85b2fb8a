import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Client as CqlClient } from 'cassandra-driver';

/** Row count and order-independent checksum of one table of one model version. */
export interface TableDigest {
  table: string;
  rows: number;
  checksum: string;
  /** Informational, not compared (e.g. history rows, which depend on when scores were published). */
  note?: string;
}

const MOD = 1n << 64n;

/** Columns of Scylla `scores` that define a score (not the publication bookkeeping `seq`). */
const scoreColumns = ['location_key', 'provider', 'level', 'rtt_p50', 'rtt_p90', 'availability', 'throughput_p50', 'samples', 'confidence', 'late_dropped', 'window_start', 'window_end', 'computed_at', 'model_version', 'source_offsets'];

export async function scyllaScoresDigest(cql: CqlClient, keyspace: string, table: string): Promise<TableDigest> {
  let rows = 0;
  let sum = 0n;
  await new Promise<void>((resolve, reject) => {
    cql.eachRow(
      `SELECT ${scoreColumns.join(', ')} FROM ${keyspace}.${table}`,
      [],
      { prepare: true, autoPage: true, fetchSize: 1000 },
      (_n, row) => {
        const canonical = JSON.stringify(scoreColumns.map((c) => {
          const v: unknown = row[c];
          return v instanceof Date ? v.getTime() : v === null || v === undefined ? null : typeof v === 'object' ? String(v) : v;
        }));
        sum = (sum + BigInt(`0x${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`)) % MOD;
        rows++;
      },
      (error) => (error ? reject(error) : resolve()),
    );
  });
  return { table: `scylla ${table}`, rows, checksum: sum.toString(16).padStart(16, '0') };
}

async function one(ch: ClickHouseClient, query: string): Promise<{ n: string; h: string }> {
  const result = await ch.query({ query, format: 'JSONEachRow' });
  return ((await result.json()) as { n: string; h: string }[])[0] ?? { n: '0', h: '0' };
}

export async function clickhouseMeasurementsDigest(ch: ClickHouseClient, database: string, table: string): Promise<TableDigest> {
  const r = await one(ch, `SELECT count() AS n, toString(sum(cityHash64(measurement_id, provider, probe_type, value, event_ms, src_partition, src_offset))) AS h FROM ${database}.${table} FINAL`);
  return { table: `clickhouse ${table}`, rows: Number(r.n), checksum: BigInt(r.h).toString(16).padStart(16, '0') };
}

export async function clickhouseLateDigest(ch: ClickHouseClient, database: string, table: string): Promise<TableDigest> {
  const r = await one(ch, `SELECT count() AS n, toString(sum(cityHash64(measurement_id, event_ms, watermark_ms, src_partition, src_offset))) AS h FROM ${database}.${table} FINAL`);
  return { table: `clickhouse ${table}`, rows: Number(r.n), checksum: BigInt(r.h).toString(16).padStart(16, '0') };
}

/** The latest published score per key (history rows themselves depend on when scores were published, so only their count is shown). */
export async function clickhouseHistoryDigest(ch: ClickHouseClient, database: string, table: string): Promise<TableDigest> {
  const latest = (c: string): string => `argMax(${c}, src_offset)`;
  const nullable = (c: string): string => `ifNull(${latest(c)}, -1)`;
  const r = await one(
    ch,
    `SELECT count() AS n, toString(sum(h)) AS h FROM (
      SELECT cityHash64(provider, location_key, ${latest('level')}, ${nullable('rtt_p50')}, ${nullable('rtt_p90')}, ${nullable('availability')}, ${nullable('throughput_p50')},
        ${latest('samples')}, ${latest('confidence')}, ${latest('computed_ms')}, ${latest('model_version')}, ${latest('source_offsets')}) AS h
      FROM ${database}.${table} FINAL GROUP BY provider, location_key)`,
  );
  const all = await one(ch, `SELECT count() AS n, '0' AS h FROM ${database}.${table} FINAL`);
  return { table: `clickhouse ${table} (latest per key)`, rows: Number(r.n), checksum: BigInt(r.h).toString(16).padStart(16, '0'), note: `${all.n} history rows` };
}
