import { connectionsFromEnv, readEnv, type Connections, type Env } from '@vane/core';
import { ConfigView, ENTITY_SITE, keyHash, readKeyEntity, type ConfigState } from '@vane/config-model';
import { SchemaCodec } from '@vane/schemas';
import { createKafka, namingFromEnv, physicalTopic, type TopicNaming } from '@vane/topics';
import { build, type ModelMinute, type RealtimeApp } from './app';
import type { FanOutLimits } from './fan-out';

export interface ServerOptions {
  host: string;
  port: number;
  connections: Connections;
  naming: TopicNaming;
  /** Fixed read keys (readKey → siteId) instead of the config service's read-key entities (tests). */
  readKeys?: Map<string, string>;
  logLevel: string;
  /** Fan-out limits (tests); default fanOutDefaults. */
  fanOut?: Partial<FanOutLimits>;
  log: (line: string) => void;
}

export function serverOptionsFromEnv(env: Env, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ServerOptions {
  const read = readEnv(env);
  return {
    host: read.string('VANE_REALTIME_HOST', { default: '127.0.0.1' }),
    port: read.port('VANE_REALTIME_PORT', { default: 7073 }),
    connections: connectionsFromEnv(env),
    naming: namingFromEnv(env),
    logLevel: read.string('VANE_REALTIME_LOG_LEVEL', { default: 'warn' }),
    log,
  };
}

/** Runs SQL over ClickHouse's HTTP interface (JSON rows, 64-bit integers as numbers). */
export function clickhouseQuery(url: string): (sql: string) => Promise<Record<string, unknown>[]> {
  return async (sql) => {
    const res = await fetch(`${url.replace(/\/$/, '')}/?output_format_json_quote_64bit_integers=0`, { method: 'POST', body: `${sql} FORMAT JSON` });
    const text = await res.text();
    if (!res.ok) throw new Error(`clickhouse: ${res.status} ${text.slice(0, 500)}`);
    return (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
  };
}

/** The site a read key reads (not revoked), from config.changes.v1 "read-key" entities. */
export function readKeySite(state: ConfigState, key: string): string | null {
  const k = state.lookup(readKeyEntity, keyHash(key));
  return k && !k.revoked ? k.siteId : null;
}

/** A Stats API site_id (the site's id or its domain) → the site id. */
export function siteOf(state: ConfigState, siteId: string): string | null {
  if (state.site(siteId)) return siteId;
  for (const e of state.entitiesOfType(ENTITY_SITE)) if (state.site(e.entityId)?.domain === siteId) return e.entityId;
  return null;
}

export interface RunningGateway extends RealtimeApp {
  url: string;
  close(): Promise<void>;
}

/** Starts the gateway: one Kafka consumer of models.sites.v1 (from the beginning, own group) feeding the fan-out, then listens. */
export async function startGateway(options: ServerOptions): Promise<RunningGateway> {
  const { connections, naming, log } = options;
  const codec = new SchemaCodec(connections.registryUrl);
  const kafka = createKafka(connections, 'realtime');
  const consumer = kafka.consumer({ groupId: `${connections.kafkaClientId}-realtime-${process.pid}-${Date.now()}` });
  let ready = false;
  const fixed = options.readKeys;
  const view = fixed ? null : new ConfigView({ kafka, codec, naming, groupPrefix: `${connections.kafkaClientId}-realtime-config`, onError: (e) => log(`realtime: skipped a config change: ${(e as Error).message}`) });
  if (view) await view.start();
  const realtime = await build({
    resolveReadKey: (key) => (view ? readKeySite(view.state, key) : (fixed?.get(key) ?? null)),
    resolveSite: (siteId) => (view ? siteOf(view.state, siteId) : siteId),
    query: clickhouseQuery(connections.clickhouseUrl),
    database: connections.clickhouseDatabase,
    consumerReady: () => ready && (view ? view.ready : true),
    fanOut: options.fanOut,
    logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
  });
  await consumer.connect();
  await consumer.subscribe({ topic: physicalTopic('models.sites.v1', naming), fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    ready = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      try {
        const { value } = await codec.decode<ModelMinute>(message.value);
        realtime.publishModel({ ...value, windowStart: Number(value.windowStart) });
      } catch (e) {
        log(`realtime: skipped a model record: ${(e as Error).message}`);
      }
    },
  });
  await realtime.app.listen({ host: options.host, port: options.port });
  const address = realtime.app.server.address();
  const bound = typeof address === 'object' && address ? address.port : options.port;
  return {
    ...realtime,
    url: `http://${options.host}:${bound}`,
    async close() {
      await realtime.app.close();
      await consumer.disconnect();
      await view?.stop();
    },
  };
}
