import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Client as CqlClient } from 'cassandra-driver';

/** Row count and order-independent checksum of one table of one model version (`vane replay verify`). */
export interface TableDigest {
  table: string;
  rows: number;
  checksum: string;
  /** Informational, not compared (e.g. history rows, which depend on when scores were published). */
  note?: string;
}

const MOD = 1n << 64n;

/** Digest of the given columns of every row of a Scylla table: the sum, mod 2^64, of a hash of each row. */
export async function scyllaDigest(cql: CqlClient, keyspace: string, table: string, columns: readonly string[]): Promise<TableDigest> {
  let rows = 0;
  let sum = 0n;
  await new Promise<void>((resolve, reject) => {
    cql.eachRow(
      `SELECT ${columns.join(', ')} FROM ${keyspace}.${table}`,
      [],
      { prepare: true, autoPage: true, fetchSize: 1000 },
      (_n, row) => {
        const canonical = JSON.stringify(columns.map((c) => {
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

/** The first row of a ClickHouse query returning `n` (a count) and `h` (a UInt64 as a string). */
export async function clickhouseCountAndHash(ch: ClickHouseClient, query: string): Promise<{ n: string; h: string }> {
  const result = await ch.query({ query, format: 'JSONEachRow' });
  return ((await result.json()) as { n: string; h: string }[])[0] ?? { n: '0', h: '0' };
}

export function hexChecksum(h: string): string {
  return BigInt(h).toString(16).padStart(16, '0');
}

/**
 * Digest of a ClickHouse table read with FINAL (one row per sorting key):
 * the sum of cityHash64 over the given column expressions (which must not
 * be Nullable: wrap those in toString or ifNull).
 */
export async function clickhouseDigest(ch: ClickHouseClient, database: string, table: string, columns: readonly string[]): Promise<TableDigest> {
  const r = await clickhouseCountAndHash(ch, `SELECT count() AS n, toString(sum(cityHash64(${columns.join(', ')}))) AS h FROM ${database}.${table} FINAL`);
  return { table: `clickhouse ${table}`, rows: Number(r.n), checksum: hexChecksum(r.h) };
}
