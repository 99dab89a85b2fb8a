import { DistinctSketch, QuantileSketch } from '../src';

function sketchOf(from: number, to: number, prefix = 'v'): DistinctSketch {
  const s = new DistinctSketch();
  for (let i = from; i < to; i++) s.add(`${prefix}${i}`);
  return s;
}

describe('distinct sketch (HyperLogLog, 2^14 registers)', () => {
  it('is exact for small counts and within 3 standard errors beyond', () => {
    expect(new DistinctSketch().count()).toBe(0);
    for (const n of [1, 2, 10, 100]) expect(sketchOf(0, n).count()).toBe(n);
    for (const n of [1_000, 10_000, 200_000]) {
      const error = Math.abs(sketchOf(0, n).count() / n - 1);
      expect(error).toBeLessThan(3 * DistinctSketch.standardError);
    }
  });

  it('ignores repeats', () => {
    const s = new DistinctSketch();
    for (let round = 0; round < 5; round++) for (let i = 0; i < 300; i++) s.add(`v${i}`);
    expect(s.equals(sketchOf(0, 300))).toBe(true);
    expect(Math.abs(s.count() - 300)).toBeLessThanOrEqual(3);
  });

  it('merges as a union: commutative, associative, idempotent, equal to one sketch of everything', () => {
    const a = sketchOf(0, 3_000);
    const b = sketchOf(2_000, 6_000);
    const c = sketchOf(5_000, 9_000);
    const all = sketchOf(0, 9_000);
    const abc = a.clone().merge(b).merge(c);
    const cba = c.clone().merge(b.clone().merge(a));
    expect(abc.equals(all)).toBe(true);
    expect(cba.equals(all)).toBe(true);
    expect(abc.clone().merge(b).merge(a).equals(abc)).toBe(true);
    expect(abc.count()).toBe(all.count());
    expect(Math.abs(all.count() / 9_000 - 1)).toBeLessThan(3 * DistinctSketch.standardError);
  });

  it('merges sparse into dense and dense into sparse', () => {
    const dense = sketchOf(0, 20_000);
    const sparse = sketchOf(19_990, 20_010);
    expect(sparse.clone().merge(dense).equals(dense.clone().merge(sparse))).toBe(true);
    expect(sparse.clone().merge(dense).equals(sketchOf(0, 20_010))).toBe(true);
  });

  it('serialises deterministically, sparse while small', () => {
    for (const n of [0, 5, 500, 5_000, 50_000]) {
      const s = sketchOf(0, n);
      const bytes = s.toBytes();
      const back = DistinctSketch.fromBytes(bytes);
      expect(back.equals(s)).toBe(true);
      expect(back.count()).toBe(s.count());
      expect(Buffer.from(back.toBytes()).equals(Buffer.from(bytes))).toBe(true);
    }
    expect(sketchOf(0, 10).toBytes().length).toBeLessThan(50);
    expect(sketchOf(0, 50_000).toBytes().length).toBe(16_384 + 3);
  });

  it('rejects corrupt bytes with VANE_ERR_DECODE', () => {
    expect(() => DistinctSketch.fromBytes(new Uint8Array([2, 14, 0, 0]))).toThrow(expect.objectContaining({ code: 'VANE_ERR_DECODE' }));
    expect(() => DistinctSketch.fromBytes(new Uint8Array([1, 14, 0, 3, 1]))).toThrow(/truncated/);
    expect(() => DistinctSketch.fromBytes(new Uint8Array([1, 14, 0, 1, 5, 60]))).toThrow(/out of range/);
  });
});

describe('quantile sketch (DDSketch, 1 % relative accuracy)', () => {
  it('answers p75 within 1 % of the exact value', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => 100 + ((i * 7919) % 1000) * 3.7);
    const s = new QuantileSketch();
    for (const v of values) s.add(v);
    const exact = [...values].sort((a, b) => a - b)[Math.floor(0.75 * (values.length - 1))]!;
    expect(Math.abs(s.quantile(0.75)! / exact - 1)).toBeLessThanOrEqual(0.01);
    expect(new QuantileSketch().quantile(0.75)).toBeNull();
  });

  it('handles CLS-sized values and zeros', () => {
    const s = new QuantileSketch().add(0).add(0).add(0.02).add(0.25);
    expect(s.quantile(0)).toBe(0);
    expect(Math.abs(s.quantile(1)! / 0.25 - 1)).toBeLessThanOrEqual(0.01);
  });

  it('merges into the sketch of all values and round-trips bytes exactly', () => {
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const all = new QuantileSketch();
    for (let i = 1; i <= 500; i++) {
      (i % 2 ? a : b).add(i * 11);
      all.add(i * 11);
    }
    expect(a.clone().merge(b).equals(all)).toBe(true);
    const back = QuantileSketch.fromBytes(all.toBytes());
    expect(back.equals(all)).toBe(true);
    expect(back.quantile(0.75)).toBe(all.quantile(0.75));
    expect(back.count).toBe(500);
    expect(Buffer.from(back.toBytes()).equals(Buffer.from(all.toBytes()))).toBe(true);
  });

  it('refuses negative or non-finite values and corrupt bytes', () => {
    expect(() => new QuantileSketch().add(-1)).toThrow(expect.objectContaining({ code: 'VANE_ERR_STATE' }));
    expect(() => new QuantileSketch().add(Number.NaN)).toThrow();
    expect(() => QuantileSketch.fromBytes(new Uint8Array([9]))).toThrow(expect.objectContaining({ code: 'VANE_ERR_DECODE' }));
  });
});
