// The DNS gateway under benchmark: the real gateway (wire walk, dns2
// parsing, zone index, GeoIP of the ECS subnet, the app in its isolate,
// dns2 encoding) with decisions logged to Kafka (decisions.dns.v1 under the
// bench's topic prefix). Forked by index.ts: sends {port} when listening,
// {maxRss, stats} on 'stop'.
import { AppHost, DecisionLog, sandboxLimitsFromEnv } from '@vane/apps';
import { connectionsFromEnv } from '@vane/core';
import { openGeo } from '@vane/network';
import { SchemaCodec } from '@vane/schemas';
import { build } from '@vane/dns';
import { listen } from '@vane/dns/server';
import { namingFromEnv } from '@vane/topics';
import { benchConfig, benchScores } from './routing-config';

async function main(): Promise<void> {
  const connections = connectionsFromEnv(process.env);
  const naming = namingFromEnv(process.env);
  const config = benchConfig();
  const host = new AppHost({ config, scores: benchScores(), limits: sandboxLimitsFromEnv(process.env) });
  await host.start();
  const log = await DecisionLog.create('decisions.dns.v1', connections, new SchemaCodec(connections.registryUrl), naming);
  const gateway = build({ config, host, geo: openGeo(), sink: log });
  const listener = await listen(gateway, '127.0.0.1', 0);
  process.send!({ port: listener.port });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    void (async () => {
      await listener.close();
      await log.close();
      host.stop();
      process.send!({ maxRss: process.resourceUsage().maxRSS * 1024, stats: { ...gateway.stats(), log: log.stats() } }, () => process.exit(0));
    })();
  });
}

void main();
