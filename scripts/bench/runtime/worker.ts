// One measured consumer in its own process, so its peak RSS is its own.
// argv: mode (bare | runtime), topic prefix, expected record count.
import { connectionsFromEnv } from '@vane/infra';
import { ProcessorRuntime, defineProcessor } from '@vane/runtime';
import { createKafka, physicalTopic } from '@vane/topics';

const [mode, prefix, countRaw, round] = process.argv.slice(2) as [string, string, string, string];
const expected = Number(countRaw);
const connections = connectionsFromEnv(process.env);
const naming = { prefix };

function finish(firstAt: number, lastAt: number, count: number): void {
  const seconds = (lastAt - firstAt) / 1000;
  process.send!({ count, seconds, rate: count / seconds, maxRss: process.resourceUsage().maxRSS * 1024 });
}

async function bare(): Promise<void> {
  const consumer = createKafka(connections, 'bench-bare').consumer({
    groupId: `${prefix}bench-bare-${round}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: physicalTopic('ingest.downloads.v1', naming), fromBeginning: true });
  let count = 0;
  let firstAt = 0;
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      if (firstAt === 0) firstAt = Date.now();
      count += batch.messages.length;
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
      if (count >= expected) {
        finish(firstAt, Date.now(), count);
        setImmediate(() => void consumer.disconnect().then(() => process.exit(0)));
      }
    },
  });
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
