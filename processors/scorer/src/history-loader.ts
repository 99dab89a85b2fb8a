import { defineProcessor } from '@vane/runtime';
import { scorerOptions } from './options';
import { clickhouseTables, unixSeconds } from './tables';

/**
 * Scorer stage 3 (`scores-history`): loads every score published on
 * scores.v1 into ClickHouse `scores_history`, in its own consumer group so
 * that analytics inserts never delay the serving path (scores.v1, Scylla,
 * snapshots). Idempotent: rows are keyed by their scores.v1 offset.
 */
export const historyLoader = defineProcessor({
  name: 'scores-history',
  description: 'loads scores.v1 into the ClickHouse table scores_history',
  input: 'scores.v1',
  outputs: [{ kind: 'clickhouse', table: 'scores_history' }],
  options: scorerOptions,
  clickhouseTables: clickhouseTables.filter((t) => t.table === 'scores_history'),
  process(score, ctx) {
    return {
      kind: 'clickhouse',
      table: 'scores_history',
      row: {
        provider: score.provider,
        location_key: score.locationKey,
        level: score.level,
        rtt_p50: score.rttP50,
        rtt_p90: score.rttP90,
        availability: score.availability,
        throughput_p50: score.throughputP50,
        samples: score.samples,
        confidence: score.confidence,
        window_start: unixSeconds(score.windowStart),
        window_end: unixSeconds(score.windowEnd),
        computed_at: unixSeconds(score.computedAt),
        computed_ms: score.computedAt,
        model_version: score.modelVersion,
        source_offsets: score.sourceOffsets ?? '',
        src_partition: ctx.record.partition,
        src_offset: ctx.record.offset,
      },
    };
  },
});
