import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer, ProducerBatch } from 'kafkajs';
import { DurableSink } from '../src/durable-sink';
import { Spool, type SpooledRecord } from '../src/spool';

type Mode = 'ok' | 'fail' | 'hang';

/** A stand-in for the kafkajs producer: records what "Kafka" acknowledged, in order. */
class FakeProducer {
  mode: Mode = 'ok';
  constructor(readonly delivered: string[] = []) {}
  readonly sends: string[][] = [];
  private hanging: { values: string[]; resolve: () => void; reject: (e: Error) => void }[] = [];

  async sendBatch(batch: ProducerBatch): Promise<unknown> {
    const values = (batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value)));
    this.sends.push(values);
    if (this.mode === 'fail') throw new Error('connection refused');
    if (this.mode === 'hang') {
      return new Promise<void>((resolve, reject) => {
        this.hanging.push({ values, resolve, reject });
      });
    }
    this.delivered.push(...values);
    return [];
  }

  /** Ends the sends left hanging: they land, or fail. */
  settle(land: boolean): void {
    for (const h of this.hanging.splice(0)) {
      if (land) {
        this.delivered.push(...h.values);
        h.resolve();
      } else h.reject(new Error('request timed out'));
    }
  }

  async disconnect(): Promise<void> {}
}

const rec = (v: string): SpooledRecord => ({ topic: 't.ingest.beacons.v1', key: 'site', value: Buffer.from(v) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('DurableSink', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vane-sink-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function sink(producer: FakeProducer, maxBytes = 1_000_000) {
    const spool = await Spool.open(dir, { maxBytes, segmentBytes: 4096 });
    return new DurableSink({ producers: [producer as unknown as Producer], drainProducer: producer as unknown as Producer, spool, spoolAfterMs: 100, retryDelayMs: 20 });
  }

  it('answers after Kafka acknowledged, batching what arrives meanwhile', async () => {
    const p = new FakeProducer();
    const s = await sink(p);
    const answers = await Promise.all(['a', 'b', 'c'].map((v) => s.accept([rec(v)])));
    expect(answers).toEqual(['kafka', 'kafka', 'kafka']);
    expect(p.delivered).toEqual(['a', 'b', 'c']);
    expect(s.stats()).toMatchObject({ mode: 'direct', sentDirect: 3, spooled: 0 });
    await s.close();
  });

  it('spools while Kafka refuses, drains in order when it is back, then sends directly again', async () => {
    const p = new FakeProducer();
    const s = await sink(p);
    await s.accept([rec('1')]);
    p.mode = 'fail';
    const during: Promise<string>[] = [];
    for (let i = 2; i <= 40; i++) during.push(s.accept([rec(String(i))]));
    expect(new Set(await Promise.all(during))).toEqual(new Set(['spool']));
    expect(s.stats().mode).toBe('spool');
    expect(s.stats().spoolBytes).toBeGreaterThan(0);
    p.mode = 'ok';
    await until('the spool to drain', () => s.stats().mode === 'direct');
    expect(await s.accept([rec('41')])).toBe('kafka');
    expect(p.delivered).toEqual(Array.from({ length: 41 }, (_, i) => String(i + 1)));
    expect(s.stats()).toMatchObject({ spoolBytes: 0, drained: 39 });
    await s.close();
  });

  it('does not resend a batch that timed out but landed after all', async () => {
    const p = new FakeProducer();
    const s = await sink(p);
    p.mode = 'hang';
    expect(await s.accept([rec('x'), rec('y')])).toBe('spool'); // not acknowledged within 100 ms
    expect(await s.accept([rec('z')])).toBe('spool');
    p.mode = 'ok';
    p.settle(true); // the first send landed late
    await until('drained', () => s.stats().mode === 'direct');
    expect(p.delivered).toEqual(['x', 'y', 'z']);
    await s.close();
  });

  it('resends a batch that timed out and failed as exactly the same batch first', async () => {
    const p = new FakeProducer();
    const s = await sink(p);
    p.mode = 'hang';
    await s.accept([rec('x'), rec('y')]);
    await s.accept([rec('z')]);
    p.mode = 'ok';
    p.settle(false);
    await until('drained', () => s.stats().mode === 'direct');
    expect(p.delivered).toEqual(['x', 'y', 'z']);
    // The first drained send repeats the in-doubt batch exactly (so an idempotent producer can deduplicate it).
    expect(p.sends[1]).toEqual(['x', 'y']);
    await s.close();
  });

  it('refuses with VANE_ERR_SPOOL_FULL when the spool is full', async () => {
    const p = new FakeProducer();
    p.mode = 'fail';
    const s = await sink(p, 600);
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => s.accept([rec(`record-${i}`)])));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'VANE_ERR_SPOOL_FULL', retriable: true });
    expect(s.stats().refusedFull).toBe(refused.length);
    const accepted = results.length - refused.length;
    p.mode = 'ok';
    await until('drained', () => s.stats().mode === 'direct');
    expect(p.delivered).toHaveLength(accepted);
    await s.close();
  });

  it('with a pool of producers, resends an in-doubt batch through its own producer and loses nothing', async () => {
    const broker: string[] = [];
    const [a, b, c, drainer] = [new FakeProducer(broker), new FakeProducer(broker), new FakeProducer(broker), new FakeProducer(broker)];
    const spool = await Spool.open(dir, { maxBytes: 1_000_000 });
    const s = new DurableSink({ producers: [a, b, c] as unknown as Producer[], drainProducer: drainer as unknown as Producer, spool, spoolAfterMs: 100, retryDelayMs: 20 });
    // Three sends in flight at once, one per producer; the last producer taken (c) hangs.
    c.mode = 'hang';
    const first = await Promise.all(['1', '2', '3'].map((v) => s.accept([rec(v)])));
    expect(first.filter((d) => d === 'spool')).toHaveLength(1);
    const later = await Promise.all(['4', '5', '6'].map((v) => s.accept([rec(v)])));
    expect(later).toEqual(['spool', 'spool', 'spool']);
    c.mode = 'ok';
    c.settle(false);
    await until('drained', () => s.stats().mode === 'direct');
    expect([...broker].sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    // c sent nothing but its in-doubt batch again before going back to work.
    expect(c.sends).toHaveLength(2);
    expect(c.sends[1]).toEqual(c.sends[0]);
    await Promise.all(['7', '8', '9', '10'].map((v) => s.accept([rec(v)])));
    expect(broker).toHaveLength(10);
    await s.close();
  });

  it('drains at start what a previous run left in the spool', async () => {
    const p1 = new FakeProducer();
    p1.mode = 'fail';
    const first = await sink(p1);
    for (let i = 0; i < 10; i++) await first.accept([rec(`r${i}`)]);
    await first.close(200);
    const p2 = new FakeProducer();
    const second = await sink(p2);
    expect(second.stats().mode).toBe('spool');
    await until('drained', () => second.stats().mode === 'direct');
    expect(p2.delivered).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
    await second.close();
    const third = await sink(new FakeProducer());
    expect(third.stats()).toMatchObject({ mode: 'direct', spoolBytes: 0 });
    await third.close();
  });
});
