import { homedir } from 'node:os';
import { join } from 'node:path';
import { readEnv, type Env } from './env';

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
  /** Print kafkajs's own log lines to stderr (VANE_KAFKA_DEBUG, a boolean; default off). */
  kafkaDebug?: boolean;
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

/** A port variable, validated (VANE_ERR_CONFIG names it when it is not 1-65535). */
export function portFromEnv(env: Env, name: string, fallback: number): number {
  return readEnv(env).port(name, { default: fallback });
}

export function connectionsFromEnv(env: Env): Connections {
  const read = readEnv(env);
  const port = (name: string, fallback: number): number => read.port(name, { default: fallback });
  return {
    kafkaBrokers: read.list('VANE_KAFKA_BROKERS') ?? [`127.0.0.1:${port('VANE_KAFKA_PORT', 9092)}`],
    kafkaClientId: read.string('VANE_KAFKA_CLIENT_ID', { default: 'vane' }),
    kafkaDebug: read.bool('VANE_KAFKA_DEBUG', { default: false }),
    registryUrl: read.string('VANE_REGISTRY_URL') ?? `http://127.0.0.1:${port('VANE_REGISTRY_PORT', 8081)}/apis/ccompat/v7`,
    scyllaContactPoints: read.list('VANE_SCYLLA_CONTACT_POINTS') ?? [`127.0.0.1:${port('VANE_CASSANDRA_PORT', 9042)}`],
    scyllaDatacenter: read.string('VANE_SCYLLA_DATACENTER', { default: 'datacenter1' }),
    scyllaKeyspace: read.string('VANE_SCYLLA_KEYSPACE', { default: 'vane' }),
    clickhouseUrl: read.string('VANE_CLICKHOUSE_URL') ?? `http://127.0.0.1:${port('VANE_CLICKHOUSE_PORT', 8123)}`,
    clickhouseDatabase: read.string('VANE_CLICKHOUSE_DATABASE', { default: 'vane' }),
  };
}

export function infraPathsFromEnv(env: Env): InfraPaths {
  return {
    home: readEnv(env).string('VANE_HOME') ?? join(homedir(), '.local', 'state', 'vane'),
    cacheDir: readEnv(env).string('VANE_CACHE_DIR') ?? join(homedir(), '.cache', 'vane'),
  };
}
