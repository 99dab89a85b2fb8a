import { DDSketch } from '@datadog/sketches-js';
import type { SketchBins } from '@vane/schemas';

/**
 * Quantiles come from DDSketch (@datadog/sketches-js, Datadog's maintained
 * TypeScript implementation): a mergeable sketch with a relative-error
 * guarantee — the value it returns for a quantile is within
 * `relativeAccuracy` (1 % by default) of the exact value at that rank —
 * and fractional weights, which the decayed union of window buckets needs.
 *
 * Wire form (SketchBins in the scorer's Avro schemas): the bins of the
 * sketch's positive store, contiguous from key `offset`, plus the count of
 * values too small to index. Bucket sketches always hold unit weights, so
 * the counts are integers. Measurements are non-negative: the negative
 * store is never used.
 */
export type Sketch = DDSketch;

export function newSketch(relativeAccuracy: number): Sketch {
  return new DDSketch({ relativeAccuracy });
}

export function addValue(sketch: Sketch, value: number): void {
  sketch.accept(value);
}

/** Adds `weight` to the bin with index-mapping key `key` (exact, no value round trip). */
function addBin(sketch: Sketch, key: number, weight: number): void {
  sketch.store.add(key, weight);
  sketch.count += weight;
}

function addZeros(sketch: Sketch, weight: number): void {
  sketch.zeroCount += weight;
  sketch.count += weight;
}

export function toBins(sketch: Sketch | null): SketchBins {
  if (!sketch || sketch.count === 0) return { offset: 0, counts: [], zeroCount: 0 };
  const store = sketch.store;
  const counts: number[] = [];
  if (store.count > 0) {
    for (let key = store.minKey; key <= store.maxKey; key++) counts.push(Math.round(store.bins[key - store.offset] ?? 0));
  }
  return { offset: store.count > 0 ? store.minKey : 0, counts, zeroCount: Math.round(sketch.zeroCount) };
}

export function binsCount(bins: SketchBins): number {
  let n = bins.zeroCount;
  for (const c of bins.counts) n += c;
  return n;
}

export function fromBins(bins: SketchBins, relativeAccuracy: number): Sketch {
  const sketch = newSketch(relativeAccuracy);
  addWeightedBins(sketch, bins, 1);
  return sketch;
}

/** Adds every bin of `bins`, each count multiplied by `weight` (> 0), to `sketch`. */
export function addWeightedBins(sketch: Sketch, bins: SketchBins, weight: number): void {
  if (bins.zeroCount > 0) addZeros(sketch, bins.zeroCount * weight);
  for (let i = 0; i < bins.counts.length; i++) {
    const c = bins.counts[i]!;
    if (c > 0) addBin(sketch, bins.offset + i, c * weight);
  }
}

/** The value at quantile q (0..1) of the sketch, or null when it is empty. */
export function quantile(sketch: Sketch, q: number): number | null {
  if (sketch.count <= 0) return null;
  const v = sketch.getValueAtQuantile(q);
  return Number.isFinite(v) ? v : null;
}
