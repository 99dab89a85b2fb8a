// One measured consumer in its own process, so its peak RSS is its own.
// argv: mode (bare | runtime), topic prefix, expected record count.
import { connectionsFromEnv } from '@vane/core';
import { ProcessorRuntime, defineProcessor } from '@vane/runtime';
import { physicalTopic } from '@vane/topics';
import { runBareConsumer } from '../lib/bare-consumer';

const [mode, prefix, countRaw, round] = process.argv.slice(2) as [string, string, string, string];
const expected = Number(countRaw);
const connections = connectionsFromEnv(process.env);
const naming = { prefix };

function finish(firstAt: number, lastAt: number, count: number): void {
  const seconds = (lastAt - firstAt) / 1000;
  process.send!({ count, seconds, rate: count / seconds, maxRss: process.resourceUsage().maxRSS * 1024 });
}

async function bare(): Promise<void> {
  const result = await runBareConsumer(connections, physicalTopic('ingest.downloads.v1', naming), `${prefix}bench-bare-${round}`, expected);
  process.send!({ ...result, maxRss: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0));
}

async function runtime(): Promise<void> {
  const noop = defineProcessor({
    name: 'bench-noop',
    description: 'no-op processor for the runtime benchmark',
    input: 'ingest.downloads.v1',
    outputs: [],
    options: () => ({}),
    process: () => undefined,
  });
  const rt = new ProcessorRuntime(noop, { connections, naming, groupId: `${prefix}bench-runtime-${round}`, log: () => undefined });
  await rt.start();
  const timer = setInterval(() => {
    if (rt.metrics.consumed >= expected) {
      clearInterval(timer);
      finish(rt.metrics.firstBatchAt, Date.now(), rt.metrics.consumed);
      void rt.stop().then(() => process.exit(0));
    }
  }, 5);
}

void (mode === 'bare' ? bare() : runtime()).catch((error: unknown) => {
  process.stderr.write(`${mode} worker failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
