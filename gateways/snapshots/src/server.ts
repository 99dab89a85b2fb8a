import { connectionsFromEnv, readEnv, type Connections, type Env } from '@vane/core';
import { SchemaCodec } from '@vane/schemas';
import { createKafka, namingFromEnv, physicalTopic, type TopicNaming } from '@vane/topics';
import { build, type SnapshotsApp } from './app';
import { settingsFromEnv, type SnapshotSettings } from './options';

/** Settings for startServer, for callers that start the gateway in-process (tests, benchmarks). */
export { defaultSettings, type SnapshotSettings } from './options';
import { ScoreFeed } from './score-feed';

export interface ServerOptions {
  settings: SnapshotSettings;
  connections: Connections;
  naming: TopicNaming;
  logLevel: string;
  log: (line: string) => void;
}

export function serverOptionsFromEnv(env: Env, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ServerOptions {
  return { settings: settingsFromEnv(env), connections: connectionsFromEnv(env), naming: namingFromEnv(env), logLevel: readEnv(env).string('VANE_SNAPSHOTS_LOG_LEVEL', { default: 'warn' }), log };
}

export interface RunningSnapshots {
  app: SnapshotsApp;
  feed: ScoreFeed;
  url: string;
  close(): Promise<void>;
}

/** Starts the feed from scores.v1 and listens (port 0 picks a free one). */
export async function startServer(options: ServerOptions): Promise<RunningSnapshots> {
  const feed = new ScoreFeed({
    kafka: createKafka(options.connections, 'snapshots'),
    codec: new SchemaCodec(options.connections.registryUrl),
    topic: physicalTopic('scores.v1', options.naming),
    groupPrefix: `${options.naming.prefix}vane.snapshots`,
    deltaBuffer: options.settings.deltaBuffer,
    log: options.log,
  });
  await feed.start();
  const app = build({ source: feed, settings: options.settings, logLevel: options.logLevel });
  try {
    await app.listen({ host: options.settings.host, port: options.settings.port });
  } catch (error) {
    await feed.stop();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.settings.port;
  return {
    app,
    feed,
    url: `http://${options.settings.host}:${port}`,
    async close() {
      await app.close();
      await feed.stop();
    },
  };
}
