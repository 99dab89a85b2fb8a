import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Connections } from '@vane/core';
import { VaneError } from '@vane/core';
import type { TableMigration } from '../manifest';

/**
 * ClickHouse inserts are batched per table as JSONEachRow. Idempotence is the
 * table's job: Vane's tables are ReplacingMergeTree keyed by the source
 * record (topic, partition, offset or a derived id), so a replayed batch
 * collapses into the rows already there (read with FINAL or argMax).
 */
export function createClickhouseClient(connections: Connections, database?: string): ClickHouseClient {
  return createClient({
    url: connections.clickhouseUrl,
    database,
    request_timeout: 30_000,
    compression: { request: false, response: false },
    // Failures surface as VaneErrors from the sink; the client's own error log would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

export class ClickhouseSink {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
    private readonly physical: (table: string) => string,
  ) {}

  async migrate(migrations: readonly TableMigration[]): Promise<void> {
    await this.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${this.database}` });
    for (const m of migrations) {
      for (const ddl of m.ddl) {
        await this.client.command({ query: ddl.replaceAll('{database}', this.database).replaceAll('{table}', this.physical(m.table)) });
      }
    }
  }

  async write(rows: readonly { table: string; row: Record<string, unknown> }[]): Promise<void> {
    if (rows.length === 0) return;
    const byTable = new Map<string, Record<string, unknown>[]>();
    for (const { table, row } of rows) {
      const list = byTable.get(table);
      if (list) list.push(row);
      else byTable.set(table, [row]);
    }
    try {
      for (const [table, values] of byTable) {
        await this.client.insert({ table: `${this.database}.${this.physical(table)}`, values, format: 'JSONEachRow' });
      }
    } catch (error) {
      throw new VaneError('VANE_ERR_CLICKHOUSE', `ClickHouse insert failed: ${(error as Error).message}`, { retriable: true, cause: error });
    }
  }
}
