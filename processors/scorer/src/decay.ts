/**
 * Exponential decay of event-time window buckets: a bucket that ends `ageMs`
 * before the newest bucket ends weighs 2^(−ageMs / halfLifeMs) (the newest
 * weighs 1, one half-life older ½, two ¼ …).
 */
export function decayWeight(ageMs: number, halfLifeMs: number): number {
  return Math.pow(2, -Math.max(0, ageMs) / halfLifeMs);
}

/** Start (inclusive) of the tumbling bucket holding event time `t`. */
export function bucketStart(t: number, bucketMs: number): number {
  return Math.floor(t / bucketMs) * bucketMs;
}
