import type { TableMigration } from '@vane/runtime';

/**
 * The scorer's materialized models. Every table is written idempotently:
 * - Scylla `scores` (serving: the current score of each provider at each
 *   location): upserts USING TIMESTAMP = the publication's storeVersion,
 *   which only grows per key, so the latest publication wins whatever order
 *   retries and replays run in.
 * - ClickHouse `scores_history` (every published score, loaded from
 *   scores.v1 by the `scores-history` loader, off the serving path):
 *   ReplacingMergeTree keyed by the score's scores.v1 offset (one key lives in
 *   one partition, so the largest offset is the latest score: argMax(…, src_offset)).
 * - ClickHouse `measurements` (raw measurements, loaded by the
 *   `measurements-loader`, off the scoring path): ReplacingMergeTree keyed by
 *   the measurement id, so a replayed offset collapses into the row there.
 * - ClickHouse `measurements_late` (the measurements the scorer counted and
 *   dropped as too late, with the partition watermark they missed): keyed by
 *   their input offset.
 * All DDL runs on ClickHouse 18.16 and on current releases (no DateTime64,
 * no Nullable in sorting keys, no TTL or codecs).
 */
export const scyllaTables: readonly TableMigration[] = [
  {
    table: 'scores',
    ddl: [
      `CREATE TABLE IF NOT EXISTS {keyspace}.{table} (
        location_key text,
        provider text,
        level text,
        rtt_p50 double,
        rtt_p90 double,
        availability double,
        throughput_p50 double,
        samples bigint,
        confidence double,
        late_dropped bigint,
        window_start timestamp,
        window_end timestamp,
        computed_at timestamp,
        model_version text,
        source_offsets text,
        seq bigint,
        PRIMARY KEY ((location_key), provider)
      )`,
    ],
  },
];

export const clickhouseTables: readonly TableMigration[] = [
  {
    table: 'measurements',
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        measurement_id String,
        provider String,
        probe_type String,
        value Float64,
        event_time DateTime('UTC'),
        event_ms Int64,
        received_at DateTime('UTC'),
        source String,
        site_id String,
        session_id String,
        country String,
        continent String,
        region String,
        asn UInt32,
        truncated_ip String,
        src_partition UInt16,
        src_offset UInt64
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(event_time)
      ORDER BY (provider, probe_type, event_time, measurement_id)`,
    ],
  },
  {
    table: 'measurements_late',
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        measurement_id String,
        provider String,
        probe_type String,
        event_time DateTime('UTC'),
        event_ms Int64,
        watermark_ms Int64,
        src_partition UInt16,
        src_offset UInt64
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(event_time)
      ORDER BY (src_partition, src_offset)`,
    ],
  },
  {
    table: 'scores_history',
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        provider String,
        location_key String,
        level String,
        rtt_p50 Nullable(Float64),
        rtt_p90 Nullable(Float64),
        availability Nullable(Float64),
        throughput_p50 Nullable(Float64),
        samples UInt64,
        confidence Float64,
        window_start DateTime('UTC'),
        window_end DateTime('UTC'),
        computed_at DateTime('UTC'),
        computed_ms Int64,
        model_version String,
        source_offsets String,
        src_partition UInt16,
        src_offset UInt64
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(computed_at)
      ORDER BY (provider, location_key, src_offset)`,
    ],
  },
];

/** Epoch ms → ClickHouse DateTime as unix seconds (accepted by JSONEachRow on every release). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
