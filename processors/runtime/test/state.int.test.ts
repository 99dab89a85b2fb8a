import type { LocateQuery } from '@vane/schemas';
import { createKafka, valueSubjectOf } from '@vane/topics';
import { ProcessorRuntime, readChangelog } from '../src';
import { createNamespace, eventually, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { download } from './fixtures/copier';
import { counter } from './fixtures/counter';

describe('processor state on the local stack', () => {
  let ns: TestNamespace;

  beforeAll(async () => {
    ns = await createNamespace();
  });

  afterAll(async () => {
    await ns.cleanup();
  });

  async function produce(products: string[], offset: number): Promise<void> {
    const producer = createKafka(ns.connections, 'test').producer();
    await producer.connect();
    const subject = valueSubjectOf('ingest.downloads.v1', ns.naming);
    const messages = [];
    for (let i = 0; i < products.length; i++) messages.push({ key: 'download', partition: i % 3, value: await ns.codec.encode(subject, download(offset + i, products[i])) });
    await producer.send({ topic: topicOf(ns, 'ingest.downloads.v1'), messages, acks: -1 });
    await producer.disconnect();
  }

  /** Latest count per product and partition published so far. */
  async function counts(atLeast: number): Promise<Map<string, number>> {
    const out = await readAll<LocateQuery>(ns, topicOf(ns, 'locate.queries.v1'), { atLeast, idleMs: 1000 });
    const latest = new Map<string, number>();
    for (const r of out) {
      const k = `${r.value.apiKeyId}/${r.value.cellCount}`;
      latest.set(k, Math.max(latest.get(k) ?? 0, r.value.wifiCount));
    }
    return latest;
  }

  const run = async (): Promise<ProcessorRuntime<'ingest.downloads.v1', Record<string, never>, number>> => {
    const rt = new ProcessorRuntime(counter, { connections: ns.connections, naming: ns.naming, log: () => undefined, maxBatchRecords: 4 });
    await rt.start();
    return rt;
  };

  it('keeps state across restarts through its changelog, written with the outputs', async () => {
    const products = (n: number): string[] => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'a' : 'b'));
    await produce(products(30), 0);
    const first = await run();
    await eventually('the first 30 downloads counted', async () => {
      const c = await counts(6);
      const sum = [...c.values()].reduce((a, b) => a + b, 0);
      return sum === 30 ? c : undefined;
    }, 60_000, 500);
    await first.stop();

    // The changelog holds every partition's counts, readable by anyone (read_committed).
    const restored = new Map<string, number>();
    await readChangelog({
      kafka: createKafka(ns.connections, 'test'),
      topic: topicOf(ns, 'scorer.windows-changelog.v1'),
      partitions: [0, 1, 2],
      groupPrefix: 'test',
      onRecord: (p, key) => restored.set(`${key}/${p}`, (restored.get(`${key}/${p}`) ?? 0) + 1),
    });
    expect([...restored.keys()].sort()).toEqual(['a/0', 'a/1', 'a/2', 'b/0', 'b/1', 'b/2']);

    await produce(products(20), 30);
    const second = await run();
    const final = await eventually('all 50 downloads counted once', async () => {
      const c = await counts(6);
      const sum = [...c.values()].reduce((a, b) => a + b, 0);
      return sum === 50 ? c : undefined;
    }, 60_000, 500);
    await second.stop();
    // Partition p got the downloads at index i ≡ p (mod 3) of each batch; products alternate a, b.
    const expected = new Map<string, number>();
    for (const n of [30, 20]) {
      for (let i = 0; i < n; i++) {
        const k = `${i % 2 === 0 ? 'a' : 'b'}/${i % 3}`;
        expected.set(k, (expected.get(k) ?? 0) + 1);
      }
    }
    expect(new Map([...final].sort())).toEqual(new Map([...expected].sort()));
    expect(second.metrics.snapshot().deadLettered).toBe(0);
  });

  it('moves state with its partitions when a second member joins (rebalance), counting everything once', async () => {
    const rt = (): ProcessorRuntime<'ingest.downloads.v1', Record<string, never>, number> =>
      new ProcessorRuntime(counter, { connections: ns.connections, naming: ns.naming, log: () => undefined, maxBatchRecords: 4, sessionTimeoutMs: 10_000 });
    const a = rt();
    await a.start();
    await produce(Array.from({ length: 30 }, () => 'c'), 100);
    await eventually('the first member counted 30 c', async () => {
      const c = await counts(3);
      return [0, 1, 2].reduce((n, p) => n + (c.get(`c/${p}`) ?? 0), 0) === 30 ? true : undefined;
    }, 60_000, 500);
    const b = rt();
    await b.start();
    // Both members now own partitions; what each restored continues the counts.
    await new Promise((r) => setTimeout(r, 3000));
    await produce(Array.from({ length: 30 }, () => 'c'), 200);
    const final = await eventually('60 c counted once across the rebalance', async () => {
      const c = await counts(6);
      const sum = [0, 1, 2].reduce((n, p) => n + (c.get(`c/${p}`) ?? 0), 0);
      return sum === 60 ? c : undefined;
    }, 60_000, 500);
    await b.stop();
    await a.stop();
    expect([0, 1, 2].map((p) => final.get(`c/${p}`))).toEqual([20, 20, 20]);
    // The second member processed partitions it took over, continuing the restored counts.
    expect(b.metrics.consumed).toBeGreaterThan(0);
    expect(a.metrics.consumed + b.metrics.consumed).toBeGreaterThanOrEqual(60);
  });
});
