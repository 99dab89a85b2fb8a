// The decide gateway beside a hostile app, in process (inject, no sockets):
// latency of the realistic app's answers alone and while another app of the
// same gateway loops to its 50 ms time limit back to back. Run by
// bench:decide after the wrk comparison (or alone:
// node scripts/lib/run-ts.js scripts/bench/decide/hostile.ts).
import { AppHost, MemoryDecisionSink } from '@vane/apps';
import { openGeo } from '@vane/network';
import { build } from '@vane/decide';
import { besideHostile, printBesideHostile } from '../lib/hostile-neighbour';
import { APP_ID, CLIENT_IP, HOSTILE_APP_ID, benchConfig, benchScores, withHostileApp } from '../dns/routing-config';

export async function decideBesideHostile(rounds = 3, samples = 300): Promise<void> {
  const host = new AppHost({ config: withHostileApp(benchConfig()), scores: benchScores(), limits: { timeoutMs: 50, memoryMb: 16, maxFailures: 1_000_000 } });
  await host.start();
  const sink = new MemoryDecisionSink<'decisions.http.v1'>();
  const app = await build({ host, geo: openGeo(), sink });
  const decide = async (appId: string): Promise<void> => {
    const res = await app.inject({ method: 'GET', url: `/v1/decide/${appId}?ip=${CLIENT_IP}&path=/video/1.mp4` });
    if (res.statusCode !== 200) throw new Error(`decide ${appId} answered ${res.statusCode}: ${res.body}`);
    if (sink.records.length > 10_000) sink.records.length = 0;
  };
  try {
    const r = await besideHostile(() => decide(APP_ID), () => decide(HOSTILE_APP_ID), { rounds, samples, hammers: 1 });
    printBesideHostile(`HTTP decide in process (inject): ${APP_ID} alone and beside ${HOSTILE_APP_ID} (loops to its 50 ms limit); ${samples} answers per round, medians of ${rounds} rounds`, r);
  } finally {
    await app.close();
    host.stop();
  }
}

if (process.argv[1] === __filename) void decideBesideHostile();
