import type { FastifyInstance } from 'fastify';
import { AppHost, DecisionLog, SnapshotScores, sandboxLimitsFromEnv } from '@vane/apps';
import { ConfigView } from '@vane/config-model';
import { connectionsFromEnv, readEnv, type Connections, type Env } from '@vane/core';
import { openGeo } from '@vane/network';
import { SchemaCodec } from '@vane/schemas';
import { createScoreClient, startScoreClient } from '@vane/score-client';
import { createKafka, namingFromEnv, type TopicNaming } from '@vane/topics';
import { build } from './app';
import { defaultSettings, resolveSettings, type DecideSettings } from './options';

/** Settings for startGateway, for callers that start the gateway in-process (tests, benchmarks). */
export { resolveSettings, type DecideSettings } from './options';

/** Everything the running gateway needs, read from the environment once (by main.ts). */
export interface ServerOptions {
  settings: DecideSettings;
  connections: Connections;
  naming: TopicNaming;
  /** VANE_SNAPSHOTS_URL: the snapshots gateway scores come from, default http://127.0.0.1:7075. */
  snapshotsUrl: string;
  /** VANE_DECIDE_LOG_LEVEL (fatal…trace, or silent), default warn. */
  logLevel: string;
  log: (line: string) => void;
}

export function serverOptionsFromEnv(env: Env, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ServerOptions {
  const read = readEnv(env);
  return {
    settings: resolveSettings({
      host: read.string('VANE_DECIDE_HOST', { default: defaultSettings.host }),
      port: read.port('VANE_DECIDE_PORT', { default: defaultSettings.port }),
      trustedProxies: read.list('VANE_DECIDE_TRUSTED_PROXIES', { default: [] }),
      allowIpParam: read.bool('VANE_DECIDE_IP_PARAM', { default: true }),
      sandbox: sandboxLimitsFromEnv(env),
    }),
    connections: connectionsFromEnv(env),
    naming: namingFromEnv(env),
    snapshotsUrl: read.string('VANE_SNAPSHOTS_URL', { default: 'http://127.0.0.1:7075' }),
    logLevel: read.string('VANE_DECIDE_LOG_LEVEL', { default: 'warn' }),
    log,
  };
}

export interface RunningGateway {
  app: FastifyInstance;
  url: string;
  hostApps: AppHost;
  decisions: DecisionLog<'decisions.http.v1'>;
  close(): Promise<void>;
}

/**
 * Starts the gateway: the config view (caught up), the score client
 * (snapshot loaded, deltas followed), every published app loaded, the
 * decision log's producer, then listens.
 */
export async function startGateway(options: ServerOptions): Promise<RunningGateway> {
  const { connections, naming, log } = options;
  const codec = new SchemaCodec(connections.registryUrl);
  const kafka = createKafka(connections, 'decide');
  const view = new ConfigView({ kafka, codec, naming, groupPrefix: `${connections.kafkaClientId}-decide-config`, onError: (e) => log(`decide: skipped a config change: ${(e as Error).message}`) });
  const client = createScoreClient({ url: options.snapshotsUrl, log: (l) => log(`decide: ${l}`) });
  const scores = new SnapshotScores(client);
  let hostApps: AppHost | undefined;
  try {
    const decisions = await DecisionLog.create('decisions.http.v1', connections, codec, naming, { log: (l) => log(`decide: ${l}`) });
    await view.start();
    await startScoreClient(client, (l) => log(`decide: ${l}`));
    scores.ready = true;
    hostApps = new AppHost({ config: view.state, scores, limits: options.settings.sandbox, log: (l) => log(`decide: ${l}`) });
    await hostApps.start();
    const app = await build({ settings: options.settings, host: hostApps, geo: openGeo(), sink: decisions, ready: () => view.ready && scores.ready, logger: options.logLevel === 'silent' ? false : { level: options.logLevel } });
    const { host, port } = options.settings;
    await app.listen({ host, port });
    const address = app.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    const running = hostApps;
    return {
      app,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
      hostApps: running,
      decisions,
      async close() {
        await app.close();
        running.stop();
        await decisions.close();
        await client.stop();
        await view.stop();
      },
    };
  } catch (error) {
    hostApps?.stop();
    await client.stop().catch(() => undefined);
    await view.stop().catch(() => undefined);
    throw error;
  }
}
