import type { TableMigration } from '@vane/runtime';

export const DEADLETTERS_TABLE = 'deadletters';

/**
 * The ClickHouse table operators query: one row per dead letter.
 * ReplacingMergeTree keyed by the dead-lettered record's origin (source
 * topic, partition, offset, processor), so loading the same dead letters
 * twice leaves one row each (read with FINAL). Runs on ClickHouse 18.16 and
 * current releases.
 */
export const deadlettersTable: TableMigration = {
  table: DEADLETTERS_TABLE,
  ddl: [
    `CREATE TABLE IF NOT EXISTS {database}.{table} (
      source_topic String,
      source_partition UInt32,
      source_offset UInt64,
      processor String,
      reason_code String,
      message String,
      at DateTime,
      source_time DateTime,
      key_base64 String,
      value_base64 String,
      value_bytes UInt32
    ) ENGINE = ReplacingMergeTree()
    PARTITION BY toYYYYMM(at)
    ORDER BY (source_topic, source_partition, source_offset, processor)`,
  ],
};
