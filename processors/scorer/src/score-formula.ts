import type { PartialWindows, ScoreFigures, SketchBins } from '@vane/schemas';
import { decayWeight } from './decay';
import type { ScorerOptions } from './options';
import { addWeightedBins, binsCount, newSketch, quantile } from './quantile-sketch';
import { windowStartOf } from './windows';

/** What a score says (the scores.v1 figures and window), computed from the latest windows of every source partition. */
export interface ComputedScore extends ScoreFigures {
  windowStart: number;
  windowEnd: number;
  computedAt: number;
  lateDropped: number;
  /** JSON {"<partition>": nextOffset} of the source partitions, ascending. */
  sourceOffsets: string;
}

/**
 * Model v1 (deterministic: the same windows give the same figures, whatever
 * order they arrived in):
 * - watermark W = the largest watermark of the partials; the window is the
 *   `windowBuckets` buckets up to the one holding W: windowEnd = end of that
 *   bucket, windowStart = windowEnd − windowBuckets × bucketMs.
 * - bucket b weighs w_b = 2^(−(windowEnd − end_b) / halfLifeMs).
 * - rtt p50/p90 and throughput p50: quantiles of the union of the buckets'
 *   sketches, each bin count × w_b, rescaled so the weights sum to the raw
 *   count (so a single bucket gives the plain DDSketch quantile).
 * - availability = Σ w_b·up_b / Σ w_b·total_b.
 * - samples = raw number of measurements in the window (all probe types);
 *   confidence = 1 − e^(−Σ w_b·n_b / confidenceSamples).
 * - computedAt = W (event time, never the wall clock).
 * Null figures: no measurement of that probe type in the window.
 */
export function computeScore(partials: readonly PartialWindows[], options: ScorerOptions): ComputedScore {
  const sorted = [...partials].sort((a, b) => a.sourcePartition - b.sourcePartition);
  let watermark = 0;
  for (const p of sorted) if (p.watermark > watermark) watermark = p.watermark;
  const windowStart = windowStartOf(watermark, options);
  const windowEnd = windowStart + options.windowBuckets * options.bucketMs;

  interface Part {
    bins: SketchBins;
    n: number;
    weight: number;
  }
  const rtt: Part[] = [];
  const throughput: Part[] = [];
  let up = 0;
  let total = 0;
  let samples = 0;
  let effective = 0;
  let lateDropped = 0;
  const offsets: Record<string, number> = {};
  for (const p of sorted) {
    lateDropped += p.lateDropped;
    offsets[String(p.sourcePartition)] = p.nextOffset;
    for (const b of p.buckets) {
      if (b.start < windowStart || b.start >= windowEnd) continue;
      const weight = decayWeight(windowEnd - (b.start + options.bucketMs), options.halfLifeMs);
      const nRtt = binsCount(b.rtt);
      const nThroughput = binsCount(b.throughput);
      if (nRtt > 0) rtt.push({ bins: b.rtt, n: nRtt, weight });
      if (nThroughput > 0) throughput.push({ bins: b.throughput, n: nThroughput, weight });
      up += weight * b.availabilityUp;
      total += weight * b.availabilityTotal;
      const n = nRtt + nThroughput + b.availabilityTotal;
      samples += n;
      effective += weight * n;
    }
  }
  const [rttP50, rttP90] = weightedQuantiles(rtt, [0.5, 0.9], options.relativeAccuracy);
  const [throughputP50] = weightedQuantiles(throughput, [0.5], options.relativeAccuracy);
  return {
    rttP50: rttP50 ?? null,
    rttP90: rttP90 ?? null,
    availability: total > 0 ? up / total : null,
    throughputP50: throughputP50 ?? null,
    samples,
    confidence: 1 - Math.exp(-effective / options.confidenceSamples),
    windowStart,
    windowEnd,
    computedAt: watermark,
    lateDropped,
    sourceOffsets: JSON.stringify(offsets),
  };
}

function weightedQuantiles(parts: { bins: SketchBins; n: number; weight: number }[], qs: number[], relativeAccuracy: number): (number | null)[] {
  if (parts.length === 0) return qs.map(() => null);
  let raw = 0;
  let weighted = 0;
  for (const p of parts) {
    raw += p.n;
    weighted += p.n * p.weight;
  }
  const scale = raw / weighted;
  const union = newSketch(relativeAccuracy);
  for (const p of parts) addWeightedBins(union, p.bins, p.weight * scale);
  return qs.map((q) => quantile(union, q));
}
