import type { Location, PartialWindows, WindowBucket } from '@vane/schemas';
import { bucketStart } from './decay';
import type { ScorerOptions } from './options';
import { addValue, fromBins, newSketch, toBins, type Sketch } from './quantile-sketch';

/** Probe types the scorer folds; others are skipped (consumers skip types they do not know). */
const probeTypes = ['rtt', 'availability', 'throughput'] as const;
export type ProbeType = (typeof probeTypes)[number];

export function isProbeType(t: string): t is ProbeType {
  return t === 'rtt' || t === 'availability' || t === 'throughput';
}

/** One event-time tumbling bucket in memory (sketches created on first value). */
interface Bucket {
  start: number;
  rtt: Sketch | null;
  throughput: Sketch | null;
  up: number;
  total: number;
}

/** The windows of one provider at one location, folded from one input partition. */
export interface LocationWindows {
  provider: string;
  locationKey: string;
  level: string;
  sourcePartition: number;
  /** Offset after the last measurement folded (or counted late) here. */
  nextOffset: number;
  /** The partition's watermark when these windows last changed. */
  watermark: number;
  lateDropped: number;
  /** Oldest first; null while only the wire form is known (restored, not changed since). */
  buckets: Bucket[] | null;
  /** Wire form memo; every change clears it. */
  wire?: PartialWindows;
}

/** Start of the oldest bucket a score at watermark `w` covers. */
export function windowStartOf(watermark: number, options: Pick<ScorerOptions, 'bucketMs' | 'windowBuckets'>): number {
  return bucketStart(watermark, options.bucketMs) - (options.windowBuckets - 1) * options.bucketMs;
}

export function emptyWindows(provider: string, location: Location, sourcePartition: number): LocationWindows {
  return { provider, locationKey: location.key, level: location.level, sourcePartition, nextOffset: 0, watermark: 0, lateDropped: 0, buckets: [] };
}

/**
 * Folds one measurement (event time `t`, already known not to be late) into
 * its bucket and drops buckets that fell out of the window at `watermark`.
 */
export function addMeasurement(
  windows: LocationWindows,
  probeType: ProbeType,
  value: number,
  t: number,
  watermark: number,
  nextOffset: number,
  options: Pick<ScorerOptions, 'bucketMs' | 'windowBuckets' | 'relativeAccuracy'>,
): void {
  const start = bucketStart(t, options.bucketMs);
  const buckets = materialize(windows, options.relativeAccuracy);
  let bucket: Bucket | undefined;
  // The newest bucket is the usual target: search from the end.
  let i = buckets.length - 1;
  while (i >= 0 && buckets[i]!.start > start) i--;
  if (i >= 0 && buckets[i]!.start === start) bucket = buckets[i];
  else {
    bucket = { start, rtt: null, throughput: null, up: 0, total: 0 };
    buckets.splice(i + 1, 0, bucket);
  }
  if (probeType === 'rtt') addValue((bucket.rtt ??= newSketch(options.relativeAccuracy)), value);
  else if (probeType === 'throughput') addValue((bucket.throughput ??= newSketch(options.relativeAccuracy)), value);
  else {
    bucket.total++;
    if (value >= 1) bucket.up++;
  }
  trim(windows, watermark, options);
  windows.watermark = watermark;
  windows.nextOffset = nextOffset;
  windows.wire = undefined;
}

export function countLate(windows: LocationWindows, nextOffset: number, relativeAccuracy: number): void {
  materialize(windows, relativeAccuracy);
  windows.lateDropped++;
  windows.nextOffset = nextOffset;
  windows.wire = undefined;
}

function trim(windows: LocationWindows, watermark: number, options: Pick<ScorerOptions, 'bucketMs' | 'windowBuckets'>): void {
  const buckets = windows.buckets!;
  const oldest = windowStartOf(watermark, options);
  let drop = 0;
  while (drop < buckets.length && buckets[drop]!.start < oldest) drop++;
  if (drop > 0) buckets.splice(0, drop);
}

/**
 * The in-memory buckets, built from the wire form on first use. Bins are
 * keys of the index mapping of `relativeAccuracy`: changing that option
 * needs a replay into a new model version.
 */
function materialize(windows: LocationWindows, relativeAccuracy: number): Bucket[] {
  if (windows.buckets) return windows.buckets;
  const p = windows.wire!;
  windows.buckets = p.buckets.map((b) => ({
    start: b.start,
    rtt: b.rtt.counts.length > 0 || b.rtt.zeroCount > 0 ? fromBins(b.rtt, relativeAccuracy) : null,
    throughput: b.throughput.counts.length > 0 || b.throughput.zeroCount > 0 ? fromBins(b.throughput, relativeAccuracy) : null,
    up: b.availabilityUp,
    total: b.availabilityTotal,
  }));
  return windows.buckets;
}

function bucketToWire(b: Bucket): WindowBucket {
  return { start: b.start, rtt: toBins(b.rtt), throughput: toBins(b.throughput), availabilityUp: b.up, availabilityTotal: b.total };
}

export function toPartial(windows: LocationWindows): PartialWindows {
  windows.wire ??= {
    provider: windows.provider,
    locationKey: windows.locationKey,
    level: windows.level,
    sourcePartition: windows.sourcePartition,
    nextOffset: windows.nextOffset,
    watermark: windows.watermark,
    lateDropped: windows.lateDropped,
    buckets: (windows.buckets ?? []).map(bucketToWire),
  };
  return windows.wire;
}

/** Windows restored from their wire form (sketches are built on the first change). */
export function fromPartial(p: PartialWindows): LocationWindows {
  return {
    provider: p.provider,
    locationKey: p.locationKey,
    level: p.level,
    sourcePartition: p.sourcePartition,
    nextOffset: p.nextOffset,
    watermark: p.watermark,
    lateDropped: p.lateDropped,
    buckets: null,
    wire: p,
  };
}
