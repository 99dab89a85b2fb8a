import type { ScoreEmission } from '@vane/schemas';
import type { ScorerOptions } from './options';
import type { ComputedScore } from './score-formula';

const percentileFields = ['rttP50', 'rttP90', 'throughputP50'] as const;

/**
 * Whether a new score is published at once: the first score of a key; a
 * figure appearing or disappearing; a percentile moving by more than
 * `relativeThreshold` of its last published value; availability moving by
 * more than `availabilityThreshold`; or `maxIntervalMs` of event time since
 * the last published score. Otherwise the change waits for the next
 * punctuation (at most maxIntervalMs of wall clock later).
 */
export function publishesNow(last: ScoreEmission | undefined, next: ComputedScore, options: Pick<ScorerOptions, 'relativeThreshold' | 'availabilityThreshold' | 'maxIntervalMs'>): boolean {
  if (!last || last.seq === 0) return true;
  for (const f of percentileFields) {
    const a = last[f];
    const b = next[f];
    if ((a === null) !== (b === null)) return true;
    if (a !== null && b !== null && Math.abs(b - a) > options.relativeThreshold * Math.abs(a)) return true;
  }
  const a = last.availability;
  const b = next.availability;
  if ((a === null) !== (b === null)) return true;
  if (a !== null && b !== null && Math.abs(b - a) > options.availabilityThreshold) return true;
  return next.computedAt - last.computedAt >= options.maxIntervalMs;
}

/** The bookkeeping after publishing `figures`; `candidateMicros` is the unit's time, the store version only grows. */
export function published(last: ScoreEmission | undefined, sources: number[], figures: ComputedScore, candidateMicros: number): ScoreEmission {
  return {
    sources,
    seq: (last?.seq ?? 0) + 1,
    storeVersion: Math.max((last?.storeVersion ?? 0) + 1, candidateMicros),
    pending: false,
    rttP50: figures.rttP50,
    rttP90: figures.rttP90,
    availability: figures.availability,
    throughputP50: figures.throughputP50,
    computedAt: figures.computedAt,
  };
}
