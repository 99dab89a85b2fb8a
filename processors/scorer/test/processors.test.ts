import { PartitionStore, type Output, type ProcessLogger } from '@vane/runtime';
import type { MergeState, PartialWindows, Score, WindowState } from '@vane/schemas';
import { PARTITION_KEY, scoresProcessor, scorerOptions, windowsProcessor, type WindowsState } from '../src/processor';
import { mergeState } from '../src/scores-processor';
import { windowsState } from '../src/windows-processor';
import { measurement, runScorerInMemory } from '@vane/test-support/scorer-harness';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const log: ProcessLogger = { info: () => undefined, warn: () => undefined };
const list = (o: Output[] | Output | void): Output[] => (o === undefined ? [] : Array.isArray(o) ? o : [o]);

describe('stage 1: windows per partition', () => {
  const options = scorerOptions({ bucketMs: 60_000, windowBuckets: 5, allowedLatenessMs: 30_000 });

  function fold(store: PartitionStore<WindowsState>, m: ReturnType<typeof measurement>, offset: number): Output[] {
    const record = { topic: 'ingest.measurements.v1', partition: 0, offset: String(offset), key: null, timestamp: m.receivedAt };
    return list(windowsProcessor.process(m, { now: 0, options, record, log, state: store }));
  }

  it('uses late data within the allowed lateness and counts and drops later data', () => {
    const store = new PartitionStore<WindowsState>();
    fold(store, measurement({ at: T0, value: 10 }), 0);
    fold(store, measurement({ at: T0 + 120_000, value: 20 }), 1); // watermark T0+120 s
    const inTime = fold(store, measurement({ at: T0 + 100_000, value: 30 }), 2); // 20 s late: used
    const late = fold(store, measurement({ at: T0 + 60_000, value: 40 }), 3); // 60 s late: dropped
    expect(inTime).toEqual([]);
    expect(late).toEqual([{ kind: 'clickhouse', table: 'measurements_late', row: expect.objectContaining({ src_offset: '3', watermark_ms: T0 + 120_000, event_ms: T0 + 60_000 }) }]);
    const out = list(windowsProcessor.endOfUnit!({ now: 0, options, log, partition: 0, state: store, changed: store.changed(), timestamp: 0 }));
    const partials = out.map((o) => (o.kind === 'produce' ? (o.value as PartialWindows) : undefined));
    expect(out.map((o) => (o.kind === 'produce' ? o.key : null)).sort()).toEqual(['cdn-a|asn:DE:3320', 'cdn-a|continent:EU', 'cdn-a|country:DE', 'cdn-a|global']);
    for (const p of partials) {
      expect(p).toMatchObject({ watermark: T0 + 120_000, lateDropped: 1, nextOffset: 4, sourcePartition: 0 });
      expect(p!.buckets.map((b) => b.start)).toEqual([T0, T0 + 60_000, T0 + 120_000]);
    }
    expect(store.get(PARTITION_KEY)).toEqual({ kind: 'partition', watermark: T0 + 120_000 });
  });

  it('takes the gateway time for client clocks ahead by more than the allowed skew', () => {
    const store = new PartitionStore<WindowsState>();
    fold(store, measurement({ at: T0, eventTime: T0 + 3_600_000 }), 0);
    expect(store.get(PARTITION_KEY)).toEqual({ kind: 'partition', watermark: T0 });
  });

  it('dead-letters impossible values, and skips unknown probe types', () => {
    expect(windowsProcessor.validate!(measurement({ value: -1 }))).toMatch(/non-negative/);
    expect(windowsProcessor.validate!(measurement({ probeType: 'availability', value: 0.5 }))).toMatch(/neither 0 nor 1/);
    expect(windowsProcessor.validate!(measurement({ provider: '' }))).toBe('provider is empty');
    const store = new PartitionStore<WindowsState>();
    expect(fold(store, measurement({ probeType: 'dns' }), 0)).toHaveLength(0);
    expect(store.size).toBe(0);
  });

  it('restores from its changelog records into the same windows', () => {
    const a = new PartitionStore<WindowsState>();
    for (let i = 0; i < 50; i++) fold(a, measurement({ at: T0 + i * 5000, value: 10 + i }), i);
    // Round trip every key through the changelog record, then go on in both stores.
    const b = new PartitionStore<WindowsState>();
    for (const [k, v] of a.entries()) b.restore(k, windowsState.fromRecord(windowsState.toRecord(v) as never));
    for (let i = 50; i < 80; i++) {
      fold(a, measurement({ at: T0 + i * 5000, value: 10 + i }), i);
      fold(b, measurement({ at: T0 + i * 5000, value: 10 + i }), i);
    }
    for (const [k, v] of a.entries()) expect(windowsState.toRecord(b.get(k)!)).toEqual(windowsState.toRecord(v));
  });
});

describe('stage 2: merged scores and when they are published', () => {
  const options = scorerOptions({ bucketMs: 60_000, windowBuckets: 5, relativeThreshold: 0.1, availabilityThreshold: 0.05, maxIntervalMs: 60_000 });

  function partial(partition: number, offset: number, rtt: number[], watermark = T0): PartialWindows {
    const store = new PartitionStore<WindowsState>();
    rtt.forEach((v, i) => {
      const m = measurement({ at: watermark, value: v, client: { truncatedIp: '192.0.2.0/24', country: null, continent: null, region: null, asn: null, asnOrg: null } });
      windowsProcessor.process(m, { now: 0, options, record: { topic: 't', partition, offset: String(offset + i), key: null, timestamp: 0 }, log, state: store });
    });
    return (windowsState.toRecord(store.get('cdn-a|global')!) as WindowState).windows!;
  }

  function unit(store: PartitionStore<MergeState>, partials: PartialWindows[], timestamp = T0): Score[] {
    for (const p of partials) scoresProcessor.process(p, { now: 0, options, record: { topic: 't', partition: 0, offset: '0', key: null, timestamp }, log, state: store });
    const out = list(scoresProcessor.endOfUnit!({ now: 0, options, log, partition: 0, state: store, changed: store.changed(), timestamp }));
    store.drain();
    return out.filter((o) => o.kind === 'produce').map((o) => (o as { value: Score }).value);
  }

  it('publishes the first score, holds a small change until punctuation, publishes a big one at once', () => {
    const store = new PartitionStore<MergeState>();
    const first = unit(store, [partial(0, 0, [100])]);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ provider: 'cdn-a', locationKey: 'global', level: 'global', samples: 1, modelVersion: 'v1' });
    // 100,102 → p50 still ~100: within 10 %.
    expect(unit(store, [partial(0, 0, [100, 102])])).toHaveLength(0);
    expect(store.get('cdn-a|global')!.emission!.pending).toBe(true);
    const punctuated = list(scoresProcessor.punctuate!.run({ now: T0, options, log, partition: 0, state: store, changed: new Set(), timestamp: T0 }));
    expect(punctuated.map((o) => o.kind)).toEqual(['produce', 'scylla']);
    expect((punctuated[0] as { value: Score }).value.samples).toBe(2);
    store.drain();
    // Another source partition with 300 ms values moves p50 far: published at once, from both sources.
    const merged = unit(store, [partial(4, 0, [300, 300, 300])]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.samples).toBe(5);
    expect(merged[0]!.sourceOffsets).toBe('{"0":2,"4":3}');
  });

  it('ignores a stale partial and gives every publication a larger store version', () => {
    const store = new PartitionStore<MergeState>();
    unit(store, [partial(0, 10, [100, 100])], T0);
    const v1 = store.get('cdn-a|global')!.emission!.storeVersion;
    expect(unit(store, [partial(0, 0, [900])], T0 - 1000)).toHaveLength(0); // nextOffset 1 < 12: stale
    expect(store.get('cdn-a|global#0')!.partial!.nextOffset).toBe(12);
    unit(store, [partial(0, 12, [100, 100, 900, 900, 900])], T0 - 5000);
    expect(store.get('cdn-a|global')!.emission!.storeVersion).toBe(v1 + 1);
    expect(mergeState.fromRecord(mergeState.toRecord(store.get('cdn-a|global')!) as never)).toEqual(store.get('cdn-a|global'));
  });
});

describe('the whole scorer in memory', () => {
  const options = scorerOptions({ bucketMs: 60_000, windowBuckets: 10, allowedLatenessMs: 60_000 });
  const network = (asn: number | null, country: string | null, continent: string | null) => ({ truncatedIp: '198.51.100.0/24', country, continent, region: null, asn, asnOrg: null });
  const data = [
    [
      ...Array.from({ length: 40 }, (_, i) => measurement({ at: T0 + i * 1000, value: 20 + (i % 5), client: network(3320, 'DE', 'EU') })),
      ...Array.from({ length: 10 }, (_, i) => measurement({ at: T0 + i * 1000, probeType: 'availability', value: i < 9 ? 1 : 0, client: network(3320, 'DE', 'EU') })),
    ],
    Array.from({ length: 30 }, (_, i) => measurement({ at: T0 + i * 1000, value: 50, client: network(6805, 'DE', 'EU') })),
    Array.from({ length: 5 }, (_, i) => measurement({ at: T0 + i * 1000, value: 80, client: network(null, 'FR', 'EU') })),
  ];

  it('scores every level so that a sparse location falls back to a wider one', () => {
    const { scores } = runScorerInMemory(data, options);
    expect([...scores.keys()].sort()).toEqual(['cdn-a|asn:DE:3320', 'cdn-a|asn:DE:6805', 'cdn-a|continent:EU', 'cdn-a|country:DE', 'cdn-a|country:FR', 'cdn-a|global']);
    expect(scores.get('cdn-a|asn:DE:3320')).toMatchObject({ samples: 50, availability: 0.9 });
    expect(scores.get('cdn-a|asn:DE:6805')).toMatchObject({ samples: 30, availability: null });
    expect(scores.get('cdn-a|country:DE')).toMatchObject({ samples: 80, availability: 0.9 });
    expect(scores.get('cdn-a|global')!.samples).toBe(85);
    // Few samples in FR: lower confidence than the wider levels it falls back to.
    expect(scores.get('cdn-a|country:FR')!.confidence).toBeLessThan(scores.get('cdn-a|continent:EU')!.confidence);
    expect(Math.abs(scores.get('cdn-a|asn:DE:6805')!.rttP50! - 50) / 50).toBeLessThanOrEqual(0.01);
  });

  it('ends with the same scores whatever the units of work were (a crash and replay change the units, not the result)', () => {
    const a = runScorerInMemory(data, options, 7);
    const b = runScorerInMemory(data, options, 1000);
    expect([...b.scores.entries()].sort()).toEqual([...a.scores.entries()].sort());
  });
});
