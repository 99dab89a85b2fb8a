import { PartitionStore, type Output, type ProcessLogger } from '@vane/runtime';
import type { MergeState, Measurement, PartialWindows, Score } from '@vane/schemas';
import { scoresProcessor, windowsProcessor, type ScorerOptions, type WindowsState } from '@vane/scorer';

const log: ProcessLogger = { info: () => undefined, warn: () => undefined };

export interface HarnessResult {
  /** The latest score per key, as the compacted scores.v1 would hold it. */
  scores: Map<string, Score>;
  /** Every published score, in order. */
  published: Score[];
  /** Rows of ClickHouse measurements_late (the measurements dropped as late). */
  lateRows: Record<string, unknown>[];
  partials: PartialWindows[];
}

/**
 * The scorer run in memory, without Kafka: measurements per input
 * partition (in offset order) go through stage 1 in units of `unit`
 * records, partials through stage 2 in one unit each, then a punctuation
 * publishes what is pending. Same processors and maths as the real run.
 */
export function runScorerInMemory(partitions: Measurement[][], options: ScorerOptions, unit = 100): HarnessResult {
  const published: Score[] = [];
  const lateRows: Record<string, unknown>[] = [];
  const partials: PartialWindows[] = [];
  const merge = new Map<number, PartitionStore<MergeState>>();
  const PARTIALS = 6;
  const hash = (key: string): number => {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    return h % PARTIALS;
  };
  const collect = (outputs: Output[] | Output | void): Output[] => (outputs === undefined ? [] : Array.isArray(outputs) ? outputs : [outputs]);
  const toStage2 = (p: PartialWindows, timestamp: number): void => {
    partials.push(p);
    const partition = hash(`${p.provider}|${p.locationKey}`);
    let store = merge.get(partition);
    if (!store) merge.set(partition, (store = new PartitionStore<MergeState>()));
    const record = { topic: 'scorer.partials.v1', partition, offset: '0', key: null, timestamp };
    scoresProcessor.process(p, { now: timestamp, options, record, log, state: store });
    const out = collect(scoresProcessor.endOfUnit!({ now: timestamp, options, log, partition, state: store, changed: store.changed(), timestamp }));
    store.drain();
    for (const o of out) if (o.kind === 'produce' && o.topic === 'scores.v1') published.push(o.value as Score);
  };
  partitions.forEach((measurements, partition) => {
    const store = new PartitionStore<WindowsState>();
    for (let start = 0; start < measurements.length; start += unit) {
      const chunk = measurements.slice(start, start + unit);
      let timestamp = 0;
      chunk.forEach((m, i) => {
        timestamp = m.receivedAt;
        if (windowsProcessor.validate!(m) !== null) return;
        const record = { topic: 'ingest.measurements.v1', partition, offset: String(start + i), key: null, timestamp };
        for (const o of collect(windowsProcessor.process(m, { now: timestamp, options, record, log, state: store }))) {
          if (o.kind === 'clickhouse') lateRows.push(o.row);
        }
      });
      const out = collect(windowsProcessor.endOfUnit!({ now: timestamp, options, log, partition, state: store, changed: store.changed(), timestamp }));
      store.drain();
      for (const o of out) if (o.kind === 'produce') toStage2(o.value as PartialWindows, timestamp);
    }
  });
  for (const [partition, store] of merge) {
    const out = collect(scoresProcessor.punctuate!.run({ now: 0, options, log, partition, state: store, changed: new Set(), timestamp: 0 }));
    store.drain();
    for (const o of out) if (o.kind === 'produce' && o.topic === 'scores.v1') published.push(o.value as Score);
  }
  const scores = new Map<string, Score>();
  for (const s of published) scores.set(`${s.provider}|${s.locationKey}`, s);
  return { scores, published, lateRows, partials };
}

let seq = 0;
/** A measurement with defaults (client in DE, AS3320, Europe). */
export function measurement(overrides: Partial<Measurement> & { at?: number } = {}): Measurement {
  const at = overrides.at ?? Date.UTC(2025, 0, 15, 12, 0, 0);
  seq++;
  const { at: _at, ...rest } = overrides;
  void _at;
  return {
    measurementId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    receivedAt: at,
    eventTime: at,
    sessionId: null,
    siteId: 'site-1',
    provider: 'cdn-a',
    probeType: 'rtt',
    value: 20,
    timings: null,
    url: null,
    client: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: 'DE-BE', asn: 3320, asnOrg: 'Deutsche Telekom AG' },
    resolver: null,
    source: 'rum',
    ...rest,
  };
}

/** The scorer's pipeline and options, for tests of what reads its output (a gateway's tests may not import a processor). */
export { ScorerPipeline, scorerOptions } from '@vane/scorer';
