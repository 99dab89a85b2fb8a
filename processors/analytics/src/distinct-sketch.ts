import murmurhash from 'murmurhash';
import { ByteReader, ByteWriter } from './byte-codec';
import { analyticsError } from './errors';

/**
 * Mergeable distinct count (visitors per minute, merged into hours and days):
 * a HyperLogLog sketch with 2^14 registers, read with Ertl's improved
 * estimator (as Redis does since 5.0: no bias tables, no switch-over
 * between linear counting and the raw estimate, well-behaved from 0 to
 * billions). Standard error 1.04/√16384 ≈ 0.81 %; up to about a hundred
 * distinct values the estimate is exact in practice (hash collisions
 * between registers are rare), a few hundred are within 1 %.
 *
 * Why not a library: bloom-filters 3.0.4 (the maintained JS sketch
 * collection) was measured here and its HyperLogLog is unusable: with 4096
 * registers it reports 487 for 1,000 distinct values and 2,516 for 5,000
 * (−50 %), and spends 0.3 ms per update. The register maths below is 60
 * lines; the hash is murmurhash (npm `murmurhash`, MurmurHash3 x86 32-bit on
 * the UTF-8 bytes), run with two seeds for 64 bits.
 *
 * Contract:
 * - `merge` is a register-wise max: commutative, associative, idempotent, so
 *   a day is the merge of its minutes in any order and a replayed minute
 *   merged twice changes nothing.
 * - `toBytes` is deterministic (same registers → same bytes): sparse form
 *   (index deltas + ranks) while that is smaller, else the 16384 registers.
 *   Format: [version 1][precision 14][0 sparse | 1 dense] then
 *   sparse: varint n, n × (varint index delta, rank byte); dense: 16384 bytes.
 */
export const HLL_PRECISION = 14;
const M = 1 << HLL_PRECISION;
const Q = 64 - HLL_PRECISION;
const ALPHA_INF = 1 / (2 * Math.LN2);
const SEED_LOW = 0x9747b28c;
const SEED_HIGH = 0x5bd1e995;
/** The sparse map becomes the dense array beyond this many set registers. */
const SPARSE_LIMIT = 1024;
const FORMAT_VERSION = 1;

function trailingZeros(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Register index and rank (1..Q+1) of a value. */
export function hllPosition(value: string): { index: number; rank: number } {
  const bytes = Buffer.from(value, 'utf8');
  const low = murmurhash.v3(bytes, SEED_LOW);
  const high = murmurhash.v3(bytes, SEED_HIGH);
  const index = low & (M - 1);
  let rank: number;
  if (high !== 0) rank = trailingZeros(high) + 1;
  else {
    const rest = low >>> HLL_PRECISION;
    rank = rest !== 0 ? 32 + trailingZeros(rest) + 1 : Q + 1;
  }
  return { index, rank };
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (previous !== z);
  return z / 3;
}

export class DistinctSketch {
  private sparse: Map<number, number> | null = new Map();
  private dense: Uint8Array | null = null;

  static readonly registers = M;
  static readonly standardError = 1.04 / Math.sqrt(M);

  add(value: string): this {
    const { index, rank } = hllPosition(value);
    this.set(index, rank);
    return this;
  }

  private set(index: number, rank: number): void {
    if (this.dense) {
      if (rank > this.dense[index]!) this.dense[index] = rank;
      return;
    }
    const sparse = this.sparse!;
    const current = sparse.get(index);
    if (current === undefined || rank > current) {
      sparse.set(index, rank);
      if (sparse.size > SPARSE_LIMIT) this.densify();
    }
  }

  private densify(): void {
    const dense = new Uint8Array(M);
    for (const [i, r] of this.sparse!) dense[i] = r;
    this.dense = dense;
    this.sparse = null;
  }

  /** Number of registers with a value (0..16384). */
  get setRegisters(): number {
    if (this.sparse) return this.sparse.size;
    let n = 0;
    for (const r of this.dense!) if (r > 0) n++;
    return n;
  }

  get isEmpty(): boolean {
    return this.sparse !== null && this.sparse.size === 0;
  }

  /** Estimated number of distinct values added (rounded). */
  count(): number {
    const histogram = new Array<number>(Q + 2).fill(0);
    if (this.sparse) {
      histogram[0] = M - this.sparse.size;
      for (const r of this.sparse.values()) histogram[r]!++;
    } else {
      for (const r of this.dense!) histogram[r]!++;
    }
    if (histogram[0] === M) return 0;
    let z = M * tau((M - histogram[Q + 1]!) / M);
    for (let k = Q; k >= 1; k--) {
      z += histogram[k]!;
      z *= 0.5;
    }
    z += M * sigma(histogram[0]! / M);
    return Math.round((ALPHA_INF * M * M) / z);
  }

  /** Folds `other` into this sketch (register-wise max); returns this. */
  merge(other: DistinctSketch): this {
    if (other.sparse) {
      for (const [i, r] of other.sparse) this.set(i, r);
    } else {
      if (!this.dense) this.densify();
      const mine = this.dense!;
      const theirs = other.dense!;
      for (let i = 0; i < M; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
    }
    return this;
  }

  clone(): DistinctSketch {
    return new DistinctSketch().merge(this);
  }

  /** Set registers as sorted [index, rank] pairs. */
  private entries(): [number, number][] {
    if (this.sparse) return [...this.sparse.entries()].sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    const dense = this.dense!;
    for (let i = 0; i < M; i++) if (dense[i]! > 0) out.push([i, dense[i]!]);
    return out;
  }

  equals(other: DistinctSketch): boolean {
    const a = this.entries();
    const b = other.entries();
    return a.length === b.length && a.every(([i, r], k) => b[k]![0] === i && b[k]![1] === r);
  }

  toBytes(): Uint8Array {
    const entries = this.entries();
    const w = new ByteWriter().byte(FORMAT_VERSION).byte(HLL_PRECISION);
    // A sparse entry takes 2–4 bytes; switch to dense when sparse could exceed M bytes.
    if (entries.length * 4 < M) {
      w.byte(0).uint(entries.length);
      let last = 0;
      for (const [i, r] of entries) {
        w.uint(i - last).byte(r);
        last = i;
      }
      return w.finish();
    }
    w.byte(1);
    const dense = new Uint8Array(M);
    for (const [i, r] of entries) dense[i] = r;
    const head = w.finish();
    const out = new Uint8Array(head.length + M);
    out.set(head, 0);
    out.set(dense, head.length);
    return out;
  }

  static fromBytes(bytes: Uint8Array): DistinctSketch {
    const r = new ByteReader(bytes, 'distinct sketch');
    const version = r.byte();
    const precision = r.byte();
    if (version !== FORMAT_VERSION || precision !== HLL_PRECISION) throw analyticsError('VANE_ERR_DECODE', `distinct sketch: format ${version}/precision ${precision} is not ${FORMAT_VERSION}/${HLL_PRECISION}`);
    const encoding = r.byte();
    const sketch = new DistinctSketch();
    const put = (index: number, rank: number) => {
      if (index >= M || rank < 1 || rank > Q + 1) throw analyticsError('VANE_ERR_DECODE', `distinct sketch: register ${index} = ${rank} is out of range`);
      sketch.set(index, rank);
    };
    if (encoding === 0) {
      const n = r.uint();
      let index = 0;
      for (let k = 0; k < n; k++) {
        index += r.uint();
        put(index, r.byte());
      }
    } else if (encoding === 1) {
      for (let i = 0; i < M; i++) {
        const rank = r.byte();
        if (rank > 0) put(i, rank);
      }
    } else {
      throw analyticsError('VANE_ERR_DECODE', `distinct sketch: unknown encoding ${encoding}`);
    }
    r.expectEnd();
    return sketch;
  }
}
