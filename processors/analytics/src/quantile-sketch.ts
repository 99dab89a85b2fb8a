import { DDSketch } from '@datadog/sketches-js';
import { ByteReader, ByteWriter } from './byte-codec';
import { analyticsError } from './errors';

/**
 * Web-vitals percentiles: DDSketch (@datadog/sketches-js, as the scorer
 * uses), relative accuracy 1 %: the p75 it reports is within 1 % of the true
 * value at that rank. Mergeable (bin-wise sum), so the p75 of an hour is the
 * p75 of the merge of its minutes, not an average of minute p75s.
 *
 * Values are non-negative (milliseconds, or the unitless CLS score; 0 goes
 * to the zero bin). Serialised form (deterministic, small for sparse
 * minutes, where the library's own protobuf writes every bin between the
 * lowest and highest): [version 1] varint zeroCount, varint n, then
 * n × (signed varint key delta, varint count) for the non-empty bins.
 * Bin counts are whole numbers: every value has weight 1.
 */
export const RELATIVE_ACCURACY = 0.01;
const FORMAT_VERSION = 1;

export class QuantileSketch {
  private readonly sketch = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });

  add(value: number): this {
    if (!Number.isFinite(value) || value < 0) throw analyticsError('VANE_ERR_STATE', `quantile sketch: ${value} is not a finite non-negative number`);
    this.sketch.accept(value);
    return this;
  }

  get count(): number {
    return this.sketch.count;
  }

  /** Value at quantile q (0..1); null when empty. */
  quantile(q: number): number | null {
    if (this.sketch.count <= 0) return null;
    const v = this.sketch.getValueAtQuantile(q);
    return Number.isFinite(v) ? v : null;
  }

  merge(other: QuantileSketch): this {
    if (other.sketch.count > 0) this.sketch.merge(other.sketch);
    return this;
  }

  clone(): QuantileSketch {
    return new QuantileSketch().merge(this);
  }

  /** Non-empty bins as sorted [key, count] pairs. */
  private bins(): [number, number][] {
    const store = this.sketch.store;
    const out: [number, number][] = [];
    if (store.count <= 0) return out;
    for (let key = store.minKey; key <= store.maxKey; key++) {
      const c = Math.round(store.bins[key - store.offset] ?? 0);
      if (c > 0) out.push([key, c]);
    }
    return out;
  }

  equals(other: QuantileSketch): boolean {
    const a = this.bins();
    const b = other.bins();
    return Math.round(this.sketch.zeroCount) === Math.round(other.sketch.zeroCount) && a.length === b.length && a.every(([k, c], i) => b[i]![0] === k && b[i]![1] === c);
  }

  toBytes(): Uint8Array {
    const bins = this.bins();
    const w = new ByteWriter().byte(FORMAT_VERSION).uint(Math.round(this.sketch.zeroCount)).uint(bins.length);
    let last = 0;
    for (const [key, c] of bins) {
      w.int(key - last).uint(c);
      last = key;
    }
    return w.finish();
  }

  static fromBytes(bytes: Uint8Array): QuantileSketch {
    const r = new ByteReader(bytes, 'quantile sketch');
    const version = r.byte();
    if (version !== FORMAT_VERSION) throw analyticsError('VANE_ERR_DECODE', `quantile sketch: format ${version} is not ${FORMAT_VERSION}`);
    const out = new QuantileSketch();
    const zeros = r.uint();
    if (zeros > 0) {
      out.sketch.zeroCount += zeros;
      out.sketch.count += zeros;
    }
    const n = r.uint();
    let key = 0;
    for (let i = 0; i < n; i++) {
      key += r.int();
      const c = r.uint();
      if (c <= 0) throw analyticsError('VANE_ERR_DECODE', `quantile sketch: empty bin ${key}`);
      out.sketch.store.add(key, c);
      out.sketch.count += c;
    }
    r.expectEnd();
    return out;
  }
}
