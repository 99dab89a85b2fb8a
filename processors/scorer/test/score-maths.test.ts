import { PartitionStore } from '@vane/runtime';
import type { PartialWindows, SketchBins } from '@vane/schemas';
import { decayWeight, bucketStart } from '../src/decay';
import { addValue, fromBins, newSketch, quantile, toBins } from '../src/quantile-sketch';
import { computeScore, scorerOptions } from '../src/processor';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0); // on a minute boundary

function bins(values: number[], relativeAccuracy = 0.01): SketchBins {
  const s = newSketch(relativeAccuracy);
  for (const v of values) addValue(s, v);
  return toBins(s);
}

const empty: SketchBins = { offset: 0, counts: [], zeroCount: 0 };

function partial(sourcePartition: number, watermark: number, buckets: PartialWindows['buckets'], lateDropped = 0): PartialWindows {
  return { provider: 'cdn-a', locationKey: 'global', level: 'global', sourcePartition, nextOffset: 10 + sourcePartition, watermark, lateDropped, buckets };
}

describe('exponential decay', () => {
  it('halves a bucket per half-life of age', () => {
    expect(decayWeight(0, 60_000)).toBe(1);
    expect(decayWeight(60_000, 60_000)).toBe(0.5);
    expect(decayWeight(120_000, 60_000)).toBe(0.25);
    expect(decayWeight(30_000, 60_000)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(bucketStart(T0 + 59_999, 60_000)).toBe(T0);
    expect(bucketStart(T0 + 60_000, 60_000)).toBe(T0 + 60_000);
  });
});

describe('the score of a window (model v1), hand-computed', () => {
  const options = scorerOptions({ bucketMs: 60_000, windowBuckets: 3, halfLifeMs: 60_000, confidenceSamples: 10, allowedLatenessMs: 30_000 });

  // Watermark T0+150 s: the window is [T0, T0+180 s); bucket weights 1/4, 1/2, 1.
  const p = partial(0, T0 + 150_000, [
    { start: T0, rtt: bins([10, 10, 10, 10]), throughput: empty, availabilityUp: 0, availabilityTotal: 4 },
    { start: T0 + 60_000, rtt: empty, throughput: empty, availabilityUp: 2, availabilityTotal: 2 },
    { start: T0 + 120_000, rtt: bins([100]), throughput: empty, availabilityUp: 1, availabilityTotal: 2 },
  ]);

  it('decays older buckets in availability, samples and confidence', () => {
    const s = computeScore([p], options);
    expect(s.windowStart).toBe(T0);
    expect(s.windowEnd).toBe(T0 + 180_000);
    expect(s.computedAt).toBe(T0 + 150_000);
    // (¼·0 + ½·2 + 1·1) / (¼·4 + ½·2 + 1·2) = 2 / 4
    expect(s.availability).toBe(0.5);
    // 4+2+2 availability + 4+1 rtt measurements
    expect(s.samples).toBe(13);
    // effective = ¼·(4+4) + ½·2 + 1·(2+1) = 6; 1 − e^(−6/10)
    expect(s.confidence).toBeCloseTo(1 - Math.exp(-0.6), 12);
    expect(s.throughputP50).toBeNull();
    expect(s.sourceOffsets).toBe('{"0":10}');
  });

  it('weighs percentiles by decay: four old 10 ms beat one new 100 ms at p50, not at p90', () => {
    const s = computeScore([p], options);
    // weights rescaled to the raw count 5: the four 10s weigh 2.5 together, the 100 weighs 2.5.
    // rank(p50) = 0.5·4 = 2 < 2.5 → 10; rank(p90) = 3.6 ≥ 2.5 → 100 (undecayed it would be 10).
    expect(Math.abs(s.rttP50! - 10) / 10).toBeLessThanOrEqual(0.01);
    expect(Math.abs(s.rttP90! - 100) / 100).toBeLessThanOrEqual(0.01);
  });

  it('merges the windows of several source partitions by bucket, whatever their order', () => {
    const a = partial(0, T0 + 150_000, [{ start: T0 + 120_000, rtt: bins([20, 20]), throughput: empty, availabilityUp: 1, availabilityTotal: 1 }]);
    const b = partial(3, T0 + 130_000, [{ start: T0 + 120_000, rtt: bins([40]), throughput: bins([8000]), availabilityUp: 0, availabilityTotal: 1 }], 2);
    const ab = computeScore([a, b], options);
    expect(computeScore([b, a], options)).toEqual(ab);
    expect(ab.availability).toBe(0.5);
    expect(ab.samples).toBe(6);
    expect(ab.lateDropped).toBe(2);
    expect(ab.computedAt).toBe(T0 + 150_000);
    expect(ab.sourceOffsets).toBe('{"0":10,"3":13}');
    expect(Math.abs(ab.rttP50! - 20) / 20).toBeLessThanOrEqual(0.01);
    expect(Math.abs(ab.throughputP50! - 8000) / 8000).toBeLessThanOrEqual(0.01);
  });

  it('leaves buckets that fell out of the window out', () => {
    const old = partial(1, T0 + 30_000, [{ start: T0 - 120_000, rtt: bins([500]), throughput: empty, availabilityUp: 0, availabilityTotal: 3 }]);
    const s = computeScore([p, old], options);
    expect(s.availability).toBe(0.5);
    expect(s.samples).toBe(13);
  });
});

describe('DDSketch percentiles', () => {
  // Deterministic pseudo-random log-normal-ish rtt values, 1..~2000 ms.
  let x = 42;
  const rand = (): number => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = Array.from({ length: 5000 }, () => Math.exp(3 + 1.2 * (rand() + rand() + rand() - 1.5)));
  const sorted = [...values].sort((a, b) => a - b);
  const exact = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))]!;

  it.each([0.01, 0.02])('are within the relative accuracy %p of the exact rank value', (alpha) => {
    const s = newSketch(alpha);
    for (const v of values) addValue(s, v);
    for (const q of [0.1, 0.5, 0.9, 0.99]) {
      expect(Math.abs(quantile(s, q)! - exact(q)) / exact(q)).toBeLessThanOrEqual(alpha);
    }
  });

  it('survive the wire form bin for bin', () => {
    const s = newSketch(0.01);
    for (const v of [...values, 0, 0]) addValue(s, v);
    const wire = toBins(s);
    expect(wire.zeroCount).toBe(2);
    const back = fromBins(wire, 0.01);
    expect(toBins(back)).toEqual(wire);
    for (const q of [0.5, 0.9]) expect(quantile(back, q)).toBe(quantile(s, q));
  });
});

describe('PartitionStore', () => {
  it('records changed keys until drained', () => {
    const store = new PartitionStore<number>();
    store.put('a', 1);
    store.put('b', 2);
    store.delete('a');
    expect([...store.changed()].sort()).toEqual(['a', 'b']);
    expect(store.drain()).toEqual([
      ['a', undefined],
      ['b', 2],
    ]);
    expect(store.changed().size).toBe(0);
    store.restore('c', 3);
    expect(store.changed().size).toBe(0);
    expect(store.get('c')).toBe(3);
  });
});
