import { scoreKey, type MergeState, type PartialWindows, type Score, type ScoreEmission } from '@vane/schemas';
import { defineProcessor, defineState, type Output, type UnitContext } from '@vane/runtime';
import { publishesNow, published } from './emission';
import { scorerOptions, type ScorerOptions } from './options';
import { computeScore, type ComputedScore } from './score-formula';
import { scyllaTables } from './tables';

/** Stage-2 state is the changelog record itself (see scorer.merge-changelog.v1). */
export const mergeState = defineState<MergeState, 'scorer.merge-changelog.v1'>({
  changelog: 'scorer.merge-changelog.v1',
  toRecord: (v) => v,
  fromRecord: (r) => r,
});

/** State key of the windows of `key` from one source partition. */
export function sourceKey(key: string, sourcePartition: number): string {
  return `${key}#${sourcePartition}`;
}

function initialEmission(): ScoreEmission {
  return { sources: [], seq: 0, storeVersion: 0, pending: false, rttP50: null, rttP90: null, availability: null, throughputP50: null, computedAt: 0 };
}

/** Keeps the latest windows of each source partition (stale records, with a lower nextOffset, are ignored). */
export function mergePartial(partial: PartialWindows, state: UnitContext<ScorerOptions, MergeState>['state']): void {
  const key = scoreKey(partial.provider, partial.locationKey);
  const skey = sourceKey(key, partial.sourcePartition);
  const previous = state.get(skey)?.partial;
  if (previous && previous.nextOffset > partial.nextOffset) return;
  state.put(skey, { partial, emission: null });
  const emission = state.get(key)?.emission ?? initialEmission();
  if (!emission.sources.includes(partial.sourcePartition)) {
    state.put(key, { partial: null, emission: { ...emission, sources: [...emission.sources, partial.sourcePartition].sort((a, b) => a - b) } });
  }
}

export function toScore(provider: string, locationKey: string, level: string, figures: ComputedScore, modelVersion: string): Score {
  return {
    provider,
    locationKey,
    level,
    rttP50: figures.rttP50,
    rttP90: figures.rttP90,
    availability: figures.availability,
    throughputP50: figures.throughputP50,
    samples: figures.samples,
    confidence: figures.confidence,
    windowStart: figures.windowStart,
    windowEnd: figures.windowEnd,
    computedAt: figures.computedAt,
    modelVersion,
    sourceOffsets: figures.sourceOffsets,
  };
}

/**
 * Recomputes the score of `key` from its sources' windows and publishes it
 * (scores.v1 and Scylla `scores`) when `force` or
 * when it changed enough (see emission.ts); otherwise marks it pending.
 */
export function evaluate(key: string, ctx: UnitContext<ScorerOptions, MergeState>, force: boolean): Output[] {
  const emission = ctx.state.get(key)?.emission;
  if (!emission) return [];
  const partials: PartialWindows[] = [];
  for (const p of emission.sources) {
    const partial = ctx.state.get(sourceKey(key, p))?.partial;
    if (partial) partials.push(partial);
  }
  if (partials.length === 0) return [];
  const figures = computeScore(partials, ctx.options);
  if (!force && !publishesNow(emission, figures, ctx.options)) {
    if (!emission.pending) ctx.state.put(key, { partial: null, emission: { ...emission, pending: true } });
    return [];
  }
  const next = published(emission, emission.sources, figures, ctx.timestamp * 1000);
  ctx.state.put(key, { partial: null, emission: next });
  const { provider, locationKey, level } = partials[0]!;
  const score = toScore(provider, locationKey, level, figures, ctx.options.modelVersion);
  return [
    { kind: 'produce', topic: 'scores.v1', key, value: score },
    {
      kind: 'scylla',
      table: 'scores',
      writeTime: next.storeVersion,
      row: {
        location_key: locationKey,
        provider,
        level,
        rtt_p50: score.rttP50,
        rtt_p90: score.rttP90,
        availability: score.availability,
        throughput_p50: score.throughputP50,
        samples: score.samples,
        confidence: score.confidence,
        late_dropped: figures.lateDropped,
        window_start: new Date(score.windowStart),
        window_end: new Date(score.windowEnd),
        computed_at: new Date(score.computedAt),
        model_version: score.modelVersion,
        source_offsets: score.sourceOffsets,
        seq: next.seq,
      },
    },
  ];
}

/**
 * Scorer stage 2 (`scorer`): scorer.partials.v1 → the latest windows of
 * every source partition per provider and location → merged score →
 * scores.v1 (compacted, key `${provider}|${locationKey}`) and Scylla
 * `scores`, when it changed beyond the thresholds or
 * `maxIntervalMs` passed (punctuation publishes what is pending).
 */
export const scoresProcessor = defineProcessor({
  name: 'scorer',
  description: 'merges per-partition windows into provider scores per location and publishes them',
  input: 'scorer.partials.v1',
  outputs: [
    { kind: 'produce', topic: 'scores.v1' },
    { kind: 'scylla', table: 'scores' },
  ],
  options: scorerOptions,
  scyllaTables,
  state: mergeState,
  process(partial, ctx) {
    mergePartial(partial, ctx.state);
  },
  endOfUnit(ctx) {
    const keys = new Set<string>();
    for (const k of ctx.changed) {
      const i = k.lastIndexOf('#');
      if (i > 0) keys.add(k.slice(0, i));
    }
    const out: Output[] = [];
    for (const key of keys) out.push(...evaluate(key, ctx, false));
    return out;
  },
  punctuate: {
    everyMs: (options) => options.maxIntervalMs,
    run(ctx) {
      const pending: string[] = [];
      for (const [key, value] of ctx.state.entries()) if (value.emission?.pending) pending.push(key);
      const out: Output[] = [];
      for (const key of pending) out.push(...evaluate(key, ctx, true));
      return out;
    },
  },
});
