import { Client, concurrent, types } from 'cassandra-driver';
import type { Connections } from '@vane/core';
import { VaneError } from '@vane/core';
import type { TableMigration } from '../manifest';

/**
 * Scylla writes are upserts `USING TIMESTAMP t` where t (microseconds) is
 * derived from the input record: record timestamp (ms) × 1000 + offset mod
 * 1000. Writing the same offsets again yields the same cells with the same
 * timestamps, so a replay or a retry after a crash changes nothing.
 */
export function writeTimeOf(timestampMs: number, offset: string): types.Long {
  const micros = BigInt(timestampMs) * 1000n + (BigInt(offset) % 1000n);
  return types.Long.fromString(micros.toString());
}

export interface ScyllaRow {
  table: string;
  row: Record<string, unknown>;
  writeTime: types.Long;
}

export function createScyllaClient(connections: Connections, keyspace?: string): Client {
  return new Client({
    contactPoints: connections.scyllaContactPoints,
    localDataCenter: connections.scyllaDatacenter,
    keyspace,
    socketOptions: { connectTimeout: 5000, readTimeout: 12000 },
  });
}

export class ScyllaSink {
  constructor(
    private readonly client: Client,
    private readonly keyspace: string,
    private readonly physical: (table: string) => string,
  ) {}

  /** Creates the keyspace (SimpleStrategy rf 1 locally; VANE_SCYLLA_REPLICATION in production) and tables. */
  async migrate(migrations: readonly TableMigration[], replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}"): Promise<void> {
    await this.client.execute(`CREATE KEYSPACE IF NOT EXISTS ${this.keyspace} WITH replication = ${replication}`);
    for (const m of migrations) {
      for (const ddl of m.ddl) {
        await this.client.execute(ddl.replaceAll('{keyspace}', this.keyspace).replaceAll('{table}', this.physical(m.table)));
      }
    }
  }

  async write(rows: readonly ScyllaRow[]): Promise<void> {
    if (rows.length === 0) return;
    const groups = new Map<string, { query: string; params: unknown[][] }>();
    for (const { table, row, writeTime } of rows) {
      const columns = Object.keys(row);
      const signature = `${table}|${columns.join(',')}`;
      let group = groups.get(signature);
      if (!group) {
        group = {
          query: `INSERT INTO ${this.keyspace}.${this.physical(table)} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) USING TIMESTAMP ?`,
          params: [],
        };
        groups.set(signature, group);
      }
      group.params.push([...columns.map((c) => row[c]), writeTime]);
    }
    try {
      for (const { query, params } of groups.values()) {
        await concurrent.executeConcurrent(this.client, query, params, { concurrencyLevel: 64 });
      }
    } catch (error) {
      throw new VaneError('VANE_ERR_SCYLLA', `Scylla write failed: ${(error as Error).message}`, { retriable: true, cause: error });
    }
  }
}
