import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sandboxLimitsFromEnv } from '@vane/apps';
import { connectionsFromEnv, infraPathsFromEnv, readEnv, type Connections, type Env } from '@vane/core';
import { SchemaCodec } from '@vane/schemas';
import { createKafka, namingFromEnv, type TopicNaming } from '@vane/topics';
import { ConfigView } from '@vane/config-model';
import { build } from './app';
import { KafkaConfigStore } from './config-store';
import { defaultSettings, type ConfigSettingsInput } from './options';

/** Everything the running service needs, read from the environment once (by main.ts). */
export interface ServerOptions {
  settings: ConfigSettingsInput;
  connections: Connections;
  naming: TopicNaming;
  /** Where the generated operator token is kept when VANE_CONFIG_OPERATOR_TOKEN is not set. */
  operatorTokenFile: string;
  /** VANE_CONFIG_LOG_LEVEL (fatal…trace, or silent), default warn. */
  logLevel: string;
  log: (line: string) => void;
}

/** The operators' token file of a VANE_HOME (also read by `vane tenants …`). */
export function operatorTokenFile(env: Env): string {
  return readEnv(env).string('VANE_CONFIG_OPERATOR_TOKEN_FILE') ?? join(infraPathsFromEnv(env).home, 'config', 'operator-token');
}

/** VANE_CONFIG_OPERATOR_TOKEN, else the token kept in the token file (generated there once, mode 0600). */
export function operatorToken(env: Env, log: (line: string) => void = () => undefined): string {
  const given = readEnv(env).string('VANE_CONFIG_OPERATOR_TOKEN');
  if (given) return given;
  const file = operatorTokenFile(env);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `vop_${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
    log(`config: no VANE_CONFIG_OPERATOR_TOKEN set; generated one in ${file}`);
  }
  return readFileSync(file, 'utf8').trim();
}

export function serverOptionsFromEnv(env: Env, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ServerOptions {
  const read = readEnv(env);
  // Everything is read and checked before the token file is written: a bad value stops the service first.
  const settings: Omit<ConfigSettingsInput, 'operatorToken'> = {
    host: read.string('VANE_CONFIG_HOST', { default: defaultSettings.host }),
    port: read.port('VANE_CONFIG_PORT', { default: defaultSettings.port }),
    sandbox: sandboxLimitsFromEnv(env),
  };
  const limits = { maxSourceBytes: 'VANE_CONFIG_MAX_SOURCE_BYTES', maxDataBytes: 'VANE_CONFIG_MAX_DATA_BYTES', maxDataVersions: 'VANE_CONFIG_MAX_DATA_VERSIONS', maxTests: 'VANE_CONFIG_MAX_TESTS' } as const;
  for (const [key, name] of Object.entries(limits) as [keyof typeof limits, string][]) {
    const value = read.int(name, { min: 1 });
    if (value !== undefined) settings[key] = value;
  }
  const connections = connectionsFromEnv(env);
  const naming = namingFromEnv(env);
  const logLevel = read.string('VANE_CONFIG_LOG_LEVEL', { default: 'warn' });
  return { settings: { ...settings, operatorToken: operatorToken(env, log) }, connections, naming, operatorTokenFile: operatorTokenFile(env), logLevel, log };
}

export interface RunningService {
  app: FastifyInstance;
  url: string;
  view: ConfigView;
  close(): Promise<void>;
}

/** Starts the service: producer, the view of config.changes.v1 (caught up before the port opens), then listens. */
export async function startService(options: ServerOptions): Promise<RunningService> {
  const { connections, naming, log } = options;
  const codec = new SchemaCodec(connections.registryUrl);
  const kafka = createKafka(connections, 'config');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const view = new ConfigView({ kafka, codec, naming, groupPrefix: `${connections.kafkaClientId}-config-service`, onError: (e) => log(`config: skipped a change: ${(e as Error).message}`) });
  try {
    await producer.connect();
    await view.start();
    const store = new KafkaConfigStore({ view, producer, codec, naming });
    const app = await build({ settings: options.settings, store, logger: options.logLevel === 'silent' ? false : { level: options.logLevel } });
    const host = options.settings.host ?? defaultSettings.host;
    await app.listen({ host, port: options.settings.port ?? defaultSettings.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.settings.port;
    return {
      app,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      view,
      async close() {
        await app.close();
        await view.stop();
        await producer.disconnect();
      },
    };
  } catch (error) {
    await view.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
}
