import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Vane finds its services. Production sets the *_URL / *_BROKERS /
 * *_CONTACT_POINTS variables to real clusters; locally everything defaults
 * to the stack `vane infra up` starts on 127.0.0.1. Only entry files pass
 * `process.env` in; everything else receives this object.
 */
export interface Connections {
  /** Kafka bootstrap servers (VANE_KAFKA_BROKERS, default 127.0.0.1:$VANE_KAFKA_PORT). */
  kafkaBrokers: string[];
  /** Kafka client id prefix (VANE_KAFKA_CLIENT_ID, default 'vane'). */
  kafkaClientId: string;
  /** Confluent-compatible schema registry base URL (VANE_REGISTRY_URL). */
  registryUrl: string;
  /** ScyllaDB/Cassandra contact points host:port (VANE_SCYLLA_CONTACT_POINTS, comma separated). */
  scyllaContactPoints: string[];
  /** Local datacenter name for the CQL driver (VANE_SCYLLA_DATACENTER, default 'datacenter1'). */
  scyllaDatacenter: string;
  /** Keyspace holding Vane's serving tables (VANE_SCYLLA_KEYSPACE, default 'vane'). */
  scyllaKeyspace: string;
  /** ClickHouse HTTP URL (VANE_CLICKHOUSE_URL, default http://127.0.0.1:$VANE_CLICKHOUSE_PORT). */
  clickhouseUrl: string;
  /** ClickHouse database (VANE_CLICKHOUSE_DATABASE, default 'vane'). */
  clickhouseDatabase: string;
}

export interface InfraPaths {
  /** Per-service state (data, logs, configs): VANE_HOME, default ~/.local/state/vane. */
  home: string;
  /** Download cache shared by every run and clone: VANE_CACHE_DIR, default ~/.cache/vane. */
  cacheDir: string;
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return value;
}

function list(raw: string | undefined, fallback: string[]): string[] {
  if (!raw) return fallback;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function portFromEnv(env: Env, name: string, fallback: number): number {
  return port(env, name, fallback);
}

export function connectionsFromEnv(env: Env): Connections {
  return {
    kafkaBrokers: list(env.VANE_KAFKA_BROKERS, [`127.0.0.1:${port(env, 'VANE_KAFKA_PORT', 9092)}`]),
    kafkaClientId: env.VANE_KAFKA_CLIENT_ID || 'vane',
    registryUrl: env.VANE_REGISTRY_URL || `http://127.0.0.1:${port(env, 'VANE_REGISTRY_PORT', 8081)}/apis/ccompat/v7`,
    scyllaContactPoints: list(env.VANE_SCYLLA_CONTACT_POINTS, [`127.0.0.1:${port(env, 'VANE_CASSANDRA_PORT', 9042)}`]),
    scyllaDatacenter: env.VANE_SCYLLA_DATACENTER || 'datacenter1',
    scyllaKeyspace: env.VANE_SCYLLA_KEYSPACE || 'vane',
    clickhouseUrl: env.VANE_CLICKHOUSE_URL || `http://127.0.0.1:${port(env, 'VANE_CLICKHOUSE_PORT', 8123)}`,
    clickhouseDatabase: env.VANE_CLICKHOUSE_DATABASE || 'vane',
  };
}

export function infraPathsFromEnv(env: Env): InfraPaths {
  return {
    home: env.VANE_HOME || join(homedir(), '.local', 'state', 'vane'),
    cacheDir: env.VANE_CACHE_DIR || join(homedir(), '.cache', 'vane'),
  };
}
