// The HTTP decision gateway under benchmark: the real gateway (GeoIP of the
// client address, the app in its isolate, JSON answer) with decisions logged
// to Kafka (decisions.http.v1 under the bench's topic prefix). Forked by
// index.ts: sends {port} when listening, {maxRss, stats} on 'stop'.
import { AppHost, DecisionLog, sandboxLimitsFromEnv } from '@vane/apps';
import { openGeo } from '@vane/network';
import { build } from '@vane/decide';
import { connectionsFromEnv } from '@vane/core';
import { SchemaCodec } from '@vane/schemas';
import { namingFromEnv } from '@vane/topics';
import { benchConfig, benchScores } from '../dns/routing-config';

async function main(): Promise<void> {
  const connections = connectionsFromEnv(process.env);
  const config = benchConfig();
  const host = new AppHost({ config, scores: benchScores(), limits: sandboxLimitsFromEnv(process.env) });
  await host.start();
  const log = await DecisionLog.create('decisions.http.v1', connections, new SchemaCodec(connections.registryUrl), namingFromEnv(process.env));
  const app = await build({ host, geo: openGeo(), sink: log });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    void (async () => {
      await app.close();
      await log.close();
      const apps = host.status().map((s) => ({ appId: s.appId, onLoop: s.sandbox?.onLoop, runs: s.sandbox?.runs, failures: s.sandbox?.failures }));
      host.stop();
      process.send!({ maxRss: process.resourceUsage().maxRSS * 1024, stats: { log: log.stats(), apps } }, () => process.exit(0));
    })();
  });
}

void main();
