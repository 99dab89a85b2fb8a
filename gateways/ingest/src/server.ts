import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { connectionsFromEnv, infraPathsFromEnv, readEnv, type Connections, type Env } from '@vane/core';
import { SchemaCodec } from '@vane/schemas';
import { createKafka, namingFromEnv, type TopicNaming } from '@vane/topics';
import { ConfigView } from '@vane/config-model';
import { build } from './app';
import { DurableSink } from './durable-sink';
import { defaultSettings, type IngestSettings } from './options';
import { RecordEncoder } from './record-encoder';
import { Spool } from './spool';

/** Everything the running gateway needs, read from the environment once (by main.ts). */
export interface ServerOptions {
  settings: Partial<IngestSettings> & { secret: string };
  connections: Connections;
  naming: TopicNaming;
  /** VANE_INGEST_SPOOL_DIR, default $VANE_HOME/ingest/spool. */
  spoolDir: string;
  /** VANE_INGEST_SPOOL_MAX_BYTES, default 1 GiB. */
  spoolMaxBytes: number;
  /** VANE_INGEST_SPOOL_AFTER_MS: a Kafka send unacknowledged this long goes to the spool, default 2000. */
  spoolAfterMs: number;
  /**
   * VANE_INGEST_KAFKA_PRODUCERS: idempotent producers sending in parallel (one send in flight each), default 1:
   * one producer batches best when Kafka is near; more help when its round trip is long.
   */
  kafkaProducers: number;
  /** VANE_INGEST_LOG_LEVEL (fatal…trace, or silent), default info. */
  logLevel: string;
  log: (line: string) => void;
}

/** The secret: VANE_INGEST_SECRET, else one generated once and kept in $VANE_HOME/ingest/secret (development). */
function secretFrom(given: string | undefined, home: string, log: (line: string) => void): string {
  if (given) return given;
  const file = join(home, 'ingest', 'secret');
  if (!existsSync(file)) {
    mkdirSync(join(home, 'ingest'), { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    log(`ingest: no VANE_INGEST_SECRET set; generated one in ${file} (set VANE_INGEST_SECRET, the same on every replica, in production)`);
  }
  return readFileSync(file, 'utf8').trim();
}

export function serverOptionsFromEnv(env: Env, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ServerOptions {
  const read = readEnv(env);
  const paths = infraPathsFromEnv(env);
  const positive = (name: string, fallback: number): number => read.int(name, { default: fallback, min: 1 });
  // Everything is read and checked before the secret file is written: a bad value stops the gateway first.
  const settings = {
    host: read.string('VANE_INGEST_HOST', { default: defaultSettings.host }),
    port: read.port('VANE_INGEST_PORT', { default: defaultSettings.port }),
    trustedProxies: read.list('VANE_INGEST_TRUSTED_PROXIES', { default: [] }),
    bodyLimitBytes: positive('VANE_INGEST_BODY_LIMIT_BYTES', defaultSettings.bodyLimitBytes),
    logMaxBytes: positive('VANE_INGEST_LOG_MAX_BYTES', defaultSettings.logMaxBytes),
    logMaxLineBytes: positive('VANE_INGEST_LOG_MAX_LINE_BYTES', defaultSettings.logMaxLineBytes),
    maxEventsPerRequest: positive('VANE_INGEST_MAX_EVENTS', defaultSettings.maxEventsPerRequest),
    rateLimitPerMinute: positive('VANE_INGEST_RATE_LIMIT_PER_MINUTE', defaultSettings.rateLimitPerMinute),
    dailyLimit: read.int('VANE_INGEST_DAILY_LIMIT', { default: defaultSettings.dailyLimit, min: 0 }),
    sessionTtlSeconds: positive('VANE_INGEST_SESSION_TTL_SECONDS', defaultSettings.sessionTtlSeconds),
    retryAfterSeconds: positive('VANE_INGEST_RETRY_AFTER_SECONDS', defaultSettings.retryAfterSeconds),
  };
  const options = {
    connections: connectionsFromEnv(env),
    naming: namingFromEnv(env),
    spoolDir: read.string('VANE_INGEST_SPOOL_DIR', { default: join(paths.home, 'ingest', 'spool') }),
    spoolMaxBytes: read.int('VANE_INGEST_SPOOL_MAX_BYTES', { default: 1024 * 1024 * 1024, min: 0 }),
    spoolAfterMs: read.int('VANE_INGEST_SPOOL_AFTER_MS', { default: 2000, min: 0 }),
    kafkaProducers: positive('VANE_INGEST_KAFKA_PRODUCERS', 1),
    logLevel: read.string('VANE_INGEST_LOG_LEVEL', { default: 'info' }),
  };
  return { settings: { ...settings, secret: secretFrom(read.string('VANE_INGEST_SECRET'), paths.home, log) }, ...options, log };
}

export interface RunningGateway {
  app: FastifyInstance;
  url: string;
  sink: DurableSink;
  config: ConfigView;
  close(): Promise<void>;
}

/**
 * Starts the gateway: schema ids from the registry, the spool (draining
 * what a previous run left), the Kafka producer (idempotent, acks=all), the
 * config view (caught up before the port opens), then listens.
 */
export async function startGateway(options: ServerOptions): Promise<RunningGateway> {
  const { connections, naming, log } = options;
  const codec = new SchemaCodec(connections.registryUrl);
  const encoder = await RecordEncoder.create(codec, naming);
  const kafka = createKafka(connections, 'ingest');
  const spool = await Spool.open(options.spoolDir, { maxBytes: options.spoolMaxBytes });
  const newProducer = () =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  const producers = Array.from({ length: options.kafkaProducers ?? 1 }, newProducer);
  const drainProducer = newProducer();
  const all = [...producers, drainProducer];
  const config = new ConfigView({ kafka, codec, naming, groupPrefix: `${connections.kafkaClientId}-ingest-config`, onError: (e) => log(`ingest: skipped a config change: ${(e as Error).message}`) });
  let sink: DurableSink | undefined;
  try {
    await Promise.all(all.map((p) => p.connect()));
    sink = new DurableSink({ producers, drainProducer, spool, spoolAfterMs: options.spoolAfterMs, log: (m) => log(`ingest: ${m}`) });
    await config.start();
    const app = await build({
      settings: options.settings,
      config,
      sink,
      encoder,
      logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
    });
    const host = options.settings.host ?? defaultSettings.host;
    const port = options.settings.port ?? defaultSettings.port;
    await app.listen({ host, port });
    const address = app.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    const running = sink;
    return {
      app,
      url,
      sink: running,
      config,
      async close() {
        await app.close();
        await running.close();
        await config.stop();
      },
    };
  } catch (error) {
    if (sink) await sink.close(0);
    else {
      await Promise.all(all.map((p) => p.disconnect().catch(() => undefined)));
      await spool.close();
    }
    await config.stop().catch(() => undefined);
    throw error;
  }
}
