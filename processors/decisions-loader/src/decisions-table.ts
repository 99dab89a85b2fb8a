import type { TableMigration } from '@vane/runtime';

/**
 * The ClickHouse table analysts query: one row per decision, DNS and HTTP
 * alike (`protocol`). ReplacingMergeTree keyed by the gateway-assigned
 * decision id (with the columns that precede it in the key, all fixed per
 * decision), so a replay of the topics leaves one row per decision (read
 * with FINAL, or count distinct decision_id). Unknown GeoIP facts are ''
 * and ASN 0; scores a provider lacked are NULL in the score arrays.
 * Runs on ClickHouse 18.16 and current releases.
 */
export const DECISIONS_TABLE = 'decisions';

export const decisionsTable: TableMigration = {
  table: DECISIONS_TABLE,
  ddl: [
    `CREATE TABLE IF NOT EXISTS {database}.{table} (
      decision_id String,
      protocol String,
      at DateTime('UTC'),
      at_ms UInt64,
      tenant_id String,
      app_id String,
      app_version UInt64,
      hostname String,
      qtype String,
      path String,
      client_ip String,
      country String,
      continent String,
      region String,
      asn UInt32,
      asn_org String,
      ecs_subnet String,
      resolver_ip String,
      resolver_country String,
      resolver_asn UInt32,
      scores_provider Array(String),
      scores_level Array(String),
      scores_rtt_p50 Array(Nullable(Float64)),
      scores_availability Array(Nullable(Float64)),
      answer_provider String,
      answer_target String,
      ttl UInt32,
      reason_code String,
      fallback UInt8,
      redirect UInt8,
      duration_us UInt64,
      source_partition UInt32,
      source_offset UInt64
    ) ENGINE = ReplacingMergeTree()
    PARTITION BY toYYYYMM(at)
    ORDER BY (tenant_id, app_id, at, decision_id)`,
  ],
};
