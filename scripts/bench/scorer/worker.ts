// One measured process of the scorer benchmark, so its peak RSS is its own.
// argv: mode (bare | scorer | snapshots), topic prefix, expected record count, keyspace, database.
// Reports with process.send; `scorer` and `snapshots` run until the parent sends 'stop'.
import { connectionsFromEnv, readEnv } from '@vane/core';
import { ScorerPipeline } from '@vane/scorer';
import { defaultSettings, startServer } from '@vane/snapshots/server';
import { physicalTopic } from '@vane/topics';
import { runBareConsumer } from '../lib/bare-consumer';

const [mode, prefix, countRaw, keyspace, database] = process.argv.slice(2) as [string, string, string, string, string];
const expected = Number(countRaw);
const connections = { ...connectionsFromEnv(process.env), scyllaKeyspace: keyspace, clickhouseDatabase: database };
const naming = { prefix };
const rss = (): number => process.resourceUsage().maxRSS * 1024;

function onStop(fn: () => Promise<void>): void {
  process.on('message', (m) => {
    if (m === 'stop') void fn().then(() => process.send!({ kind: 'stopped', maxRss: rss() }, () => process.exit(0)));
  });
}

async function bare(): Promise<void> {
  const result = await runBareConsumer(connections, physicalTopic('ingest.measurements.v1', naming), `${prefix}bench-bare`, expected);
  process.send!({ kind: 'done', ...result, maxRss: rss() }, () => process.exit(0));
}

async function scorer(): Promise<void> {
  const maxBatchRecords = readEnv(process.env).int('VANE_MAX_BATCH_RECORDS', { min: 1 });
  const pipeline = new ScorerPipeline({ connections, naming, processorOptions: {}, log: () => undefined, maxBatchRecords });
  await pipeline.start();
  let reported = false;
  let settledSince = 0;
  let settled = false;
  const timer = setInterval(() => {
    const m = pipeline.windows.metrics;
    if (!reported && m.consumed >= expected) {
      reported = true;
      const seconds = (Date.now() - m.firstBatchAt) / 1000;
      const cpu = process.cpuUsage();
      process.send!({ kind: 'done', count: m.consumed, seconds, rate: m.consumed / seconds, maxRss: rss(), partials: pipeline.scores.metrics.consumed, scores: pipeline.scores.metrics.produced, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    }
    // Settled: every processor caught up (scores merged and published, history and raw measurements loaded).
    if (reported && !settled) {
      const idle = pipeline.measurements.metrics.consumed >= expected && pipeline.scores.metrics.consumed > 0 && pipeline.runtimes().every((r) => r.metrics.totalLag() === 0);
      if (!idle) settledSince = 0;
      else if (settledSince === 0) settledSince = Date.now();
      else if (Date.now() - settledSince >= 500) {
        settled = true;
        const seconds = (settledSince - m.firstBatchAt) / 1000;
        process.send!({ kind: 'settled', count: expected, seconds, rate: expected / seconds, maxRss: rss(), partials: pipeline.scores.metrics.consumed, scores: pipeline.scores.metrics.produced });
      }
    }
  }, 5);
  onStop(async () => {
    clearInterval(timer);
    await pipeline.stop();
  });
}

async function snapshots(): Promise<void> {
  const running = await startServer({ settings: { ...defaultSettings, port: 0 }, connections, naming, logLevel: 'silent', log: () => undefined });
  await running.feed.ready;
  process.send!({ kind: 'listening', url: running.url });
  onStop(() => running.close());
}

void (mode === 'bare' ? bare() : mode === 'scorer' ? scorer() : snapshots()).catch((error: unknown) => {
  process.stderr.write(`${mode} worker failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
