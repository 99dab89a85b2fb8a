import { locationsOf, scoreKey, type Measurement } from '@vane/schemas';
import { defineProcessor, defineState, type ClickhouseOutput, type ProcessContext, type SourceRecord } from '@vane/runtime';
import { bucketStart } from './decay';
import { scorerOptions, type ScorerOptions } from './options';
import { clickhouseTables, unixSeconds } from './tables';
import { addMeasurement, countLate, emptyWindows, fromPartial, isProbeType, toPartial, windowStartOf, type LocationWindows } from './windows';

/** State key of the partition's event-time watermark. */
export const PARTITION_KEY = '~partition';

/** Stage-1 state: the partition's watermark, and the windows of each provider at each location. */
export type WindowsState = { kind: 'partition'; watermark: number } | { kind: 'windows'; windows: LocationWindows };

export const windowsState = defineState<WindowsState, 'scorer.windows-changelog.v1'>({
  changelog: 'scorer.windows-changelog.v1',
  toRecord: (v) => (v.kind === 'partition' ? { watermark: v.watermark, windows: null } : { watermark: v.windows.watermark, windows: toPartial(v.windows) }),
  fromRecord: (r) => (r.windows ? { kind: 'windows', windows: fromPartial(r.windows) } : { kind: 'partition', watermark: r.watermark }),
});

/** Semantic checks beyond Avro: a reason to dead-letter, or null. Unknown probe types are not errors (skipped). */
export function validateMeasurement(m: Measurement): string | null {
  if (m.provider === '') return 'provider is empty';
  if (!Number.isFinite(m.value) || m.value < 0) return `value ${m.value} is not a finite non-negative number`;
  if (m.probeType === 'availability' && m.value !== 0 && m.value !== 1) return `availability value ${m.value} is neither 0 nor 1`;
  return null;
}

/** Event time the scorer uses: the client's, unless it is ahead of the gateway's clock by more than the allowed skew. */
export function effectiveEventTime(m: Pick<Measurement, 'eventTime' | 'receivedAt'>, options: Pick<ScorerOptions, 'maxClockSkewMs'>): number {
  return m.eventTime > m.receivedAt + options.maxClockSkewMs ? m.receivedAt : m.eventTime;
}

/** Row of ClickHouse `measurements` (raw, as received). */
export function measurementRow(m: Measurement, record: SourceRecord): Record<string, unknown> {
  return {
    measurement_id: m.measurementId,
    provider: m.provider,
    probe_type: m.probeType,
    value: m.value,
    event_time: unixSeconds(m.eventTime),
    event_ms: m.eventTime,
    received_at: unixSeconds(m.receivedAt),
    source: m.source,
    site_id: m.siteId ?? '',
    session_id: m.sessionId ?? '',
    country: m.client.country ?? '',
    continent: m.client.continent ?? '',
    region: m.client.region ?? '',
    asn: m.client.asn ?? 0,
    truncated_ip: m.client.truncatedIp,
    src_partition: record.partition,
    src_offset: record.offset,
  };
}

/**
 * Folds one measurement into the windows of its provider at every level of
 * its location (pure: state in, state changes and outputs out).
 * Late data: the partition's watermark W is the largest event time seen; a
 * measurement older than W − allowedLatenessMs, or whose bucket already left
 * the window, is counted (lateDropped) and dropped, and recorded in
 * ClickHouse `measurements_late`; nothing else is output per measurement.
 */
export function foldMeasurement(m: Measurement, ctx: ProcessContext<ScorerOptions, WindowsState>): ClickhouseOutput | undefined {
  const options = ctx.options;
  if (!isProbeType(m.probeType)) return undefined;
  const t = effectiveEventTime(m, options);
  const clock = ctx.state.get(PARTITION_KEY);
  const before = clock?.kind === 'partition' ? clock.watermark : Number.NEGATIVE_INFINITY;
  const watermark = Math.max(before, t);
  const late = t < before - options.allowedLatenessMs || bucketStart(t, options.bucketMs) < windowStartOf(watermark, options);
  const next = Number(ctx.record.offset) + 1;
  for (const location of locationsOf(m.client)) {
    const key = scoreKey(m.provider, location.key);
    const current = ctx.state.get(key);
    const value: WindowsState = current?.kind === 'windows' ? current : { kind: 'windows', windows: emptyWindows(m.provider, location, ctx.record.partition) };
    if (late) countLate(value.windows, next, options.relativeAccuracy);
    else addMeasurement(value.windows, m.probeType, m.value, t, watermark, next, options);
    ctx.state.put(key, value);
  }
  if (!late) {
    if (watermark !== before) ctx.state.put(PARTITION_KEY, { kind: 'partition', watermark });
    return undefined;
  }
  return {
    kind: 'clickhouse',
    table: 'measurements_late',
    row: {
      measurement_id: m.measurementId,
      provider: m.provider,
      probe_type: m.probeType,
      event_time: unixSeconds(m.eventTime),
      event_ms: m.eventTime,
      watermark_ms: before,
      src_partition: ctx.record.partition,
      src_offset: ctx.record.offset,
    },
  };
}

/**
 * Scorer stage 1 (`scorer-windows`): ingest.measurements.v1 (keyed by the
 * client's most specific location, so one location's measurements spread
 * over partitions at the wider levels) → per-partition windows in state →
 * at the end of each unit of work, one scorer.partials.v1 record per
 * changed provider and location (keyed `${provider}|${locationKey}`, so
 * stage 2 sees every source partition's windows of a key in one place).
 * Measurements dropped as late → ClickHouse `measurements_late`.
 */
export const windowsProcessor = defineProcessor({
  name: 'scorer-windows',
  description: 'folds measurements into per-partition event-time windows per provider and location',
  input: 'ingest.measurements.v1',
  outputs: [
    { kind: 'produce', topic: 'scorer.partials.v1' },
    { kind: 'clickhouse', table: 'measurements_late' },
  ],
  options: scorerOptions,
  clickhouseTables: clickhouseTables.filter((t) => t.table === 'measurements_late'),
  state: windowsState,
  validate: validateMeasurement,
  process: foldMeasurement,
  endOfUnit(ctx) {
    const out = [];
    for (const key of ctx.changed) {
      if (key === PARTITION_KEY) continue;
      const value = ctx.state.get(key);
      if (value?.kind !== 'windows') continue;
      out.push({ kind: 'produce' as const, topic: 'scorer.partials.v1' as const, key, value: toPartial(value.windows) });
    }
    return out;
  },
});
