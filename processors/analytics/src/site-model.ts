import type { SiteMinute } from '@vane/schemas';
import { ByteReader, ByteWriter } from './byte-codec';
import { DistinctSketch } from './distinct-sketch';
import { countDrop, dropCountRows, isDropReason, mergeDropCounts, type Drop, type DropCounts } from './drops';
import { analyticsError } from './errors';
import { QuantileSketch } from './quantile-sketch';
import type { SessionChange, SessionOutcome, SessionSummary } from './sessionizer';
import { vitalNames, type UnifiedEvent, type VitalName } from './unified-event';

/**
 * The composite site model: one `SiteMinuteModel` per site and UTC minute,
 * mergeable into hours, days, any range (`mergeMinutes`).
 *
 * Attribution (what makes merges exact):
 * - Event figures (pageviews, custom events, pages, visitors, vitals) belong
 *   to the minute of the event's time.
 * - Session figures (sessions, bounces, duration, views per visit, entry and
 *   exit pages, sources, countries, devices, browsers, OS) belong to the
 *   minute the session *started*. Each session lives in exactly one minute,
 *   so summing minutes never counts a session twice. When a session changes
 *   (another pageview, an earlier event, a merge), its old contribution is
 *   taken out of its old start minute and the new one added to the new
 *   start minute (`applySessionChange`): figures are always "as known now".
 * - Visitors are a HyperLogLog sketch (distinct-sketch.ts): a range's
 *   visitors is the count of the merged sketches (≈0.8 % error), never a
 *   sum of minute counts.
 * - Web vitals are DDSketches (quantile-sketch.ts, 1 % relative error).
 * - Top-N lists are counters with at most `COUNTER_LIMIT` keys per minute;
 *   beyond that the smallest are folded into "(other)" (a removal of a key
 *   no longer listed is taken from "(other)").
 * - `folds` counts the records folded into the minute: it only grows, so it
 *   is the version of the minute's rows (ClickHouse ReplacingMergeTree,
 *   Scylla write timestamp), and a replay from the same records ends on the
 *   same version with the same figures.
 */
export const MINUTE_MS = 60_000;
export const COUNTER_LIMIT = 500;
export const OTHER_KEY = '(other)';
/** Source of sessions without referrer or campaign tag (Plausible's label). */
export const DIRECT_SOURCE = 'Direct / None';
/** Attribute value for sessions where it is unknown. */
export const NOT_SET = '(not set)';
export const MODEL_VERSION = 'v1';
export const TOP_PATHS_V1 = 10;

export type Counter = Record<string, number>;

export interface SiteMinuteModel {
  siteId: string;
  /** Window start, UTC ms, a whole minute. */
  minute: number;
  pageviews: number;
  /** Custom events (Plausible's `events` metric is pageviews + this). */
  customEvents: number;
  visitors: DistinctSketch;
  sessions: number;
  bounces: number;
  /** Sum of the durations of the sessions started in the minute, ms. */
  durationMs: number;
  /** Sum of the pageviews of the sessions started in the minute (views per visit = this / sessions). */
  sessionPageviews: number;
  pages: Counter;
  entryPages: Counter;
  exitPages: Counter;
  sources: Counter;
  countries: Counter;
  devices: Counter;
  browsers: Counter;
  oses: Counter;
  vitals: Record<VitalName, QuantileSketch>;
  drops: DropCounts;
  folds: number;
}

export function minuteOf(t: number): number {
  return Math.floor(t / MINUTE_MS) * MINUTE_MS;
}

function emptyVitals(): Record<VitalName, QuantileSketch> {
  return { LCP: new QuantileSketch(), INP: new QuantileSketch(), CLS: new QuantileSketch(), FCP: new QuantileSketch(), TTFB: new QuantileSketch() };
}

export function emptyMinute(siteId: string, minute: number): SiteMinuteModel {
  return {
    siteId,
    minute: minuteOf(minute),
    pageviews: 0,
    customEvents: 0,
    visitors: new DistinctSketch(),
    sessions: 0,
    bounces: 0,
    durationMs: 0,
    sessionPageviews: 0,
    pages: {},
    entryPages: {},
    exitPages: {},
    sources: {},
    countries: {},
    devices: {},
    browsers: {},
    oses: {},
    vitals: emptyVitals(),
    drops: {},
    folds: 0,
  };
}

function capCounter(counter: Counter): void {
  const keys = Object.keys(counter);
  if (keys.length <= COUNTER_LIMIT) return;
  const ranked = keys.filter((k) => k !== OTHER_KEY).sort((a, b) => counter[b]! - counter[a]! || (a < b ? -1 : 1));
  let other = counter[OTHER_KEY] ?? 0;
  for (const k of ranked.slice(COUNTER_LIMIT - 1)) {
    other += counter[k]!;
    delete counter[k];
  }
  counter[OTHER_KEY] = other;
}

export function bump(counter: Counter, key: string, n: number): void {
  if (n === 0) return;
  if (n < 0 && counter[key] === undefined && counter[OTHER_KEY] !== undefined) key = OTHER_KEY;
  const v = (counter[key] ?? 0) + n;
  if (v === 0) delete counter[key];
  else counter[key] = v;
  if (n > 0 && v === n) capCounter(counter);
}

function mergeCounter(into: Counter, from: Counter): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  capCounter(into);
}

/** The most counted keys, by count descending then key ascending. */
export function topEntries(counter: Counter, n: number): { key: string; count: number }[] {
  return Object.entries(counter)
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([key, count]) => ({ key, count }));
}

/** Adds one event's own figures to the minute of its time. */
export function applyEvent(model: SiteMinuteModel, event: UnifiedEvent): void {
  if (event.kind === 'pageview') {
    model.pageviews++;
    bump(model.pages, event.path, 1);
  } else if (event.kind === 'event') {
    model.customEvents++;
  }
  if (event.kind !== 'vital') model.visitors.add(event.visitorId);
  for (const v of event.vitals) model.vitals[v.name].add(v.value);
}

/** Adds (sign 1) or removes (sign −1) a session's figures in the minute it started. */
export function applySession(model: SiteMinuteModel, s: SessionSummary, sign: 1 | -1): void {
  model.sessions += sign;
  if (s.bounce) model.bounces += sign;
  model.durationMs += sign * s.durationMs;
  model.sessionPageviews += sign * s.pageviews;
  bump(model.entryPages, s.entryPage, sign);
  bump(model.exitPages, s.exitPage, sign);
  const a = s.attributes;
  bump(model.sources, a.source ?? DIRECT_SOURCE, sign);
  bump(model.countries, a.country ?? NOT_SET, sign);
  bump(model.devices, a.device ?? NOT_SET, sign);
  bump(model.browsers, a.browser ?? NOT_SET, sign);
  bump(model.oses, a.os ?? NOT_SET, sign);
}

/** Where the fold finds (or creates) the model of a site and minute. */
export type MinuteLookup = (siteId: string, minute: number) => SiteMinuteModel;

/** A Map-backed lookup; `touched` collects the minutes changed since it was last cleared. */
export function memoryMinutes(): { lookup: MinuteLookup; minutes: Map<string, SiteMinuteModel>; touched: Set<string> } {
  const minutes = new Map<string, SiteMinuteModel>();
  const touched = new Set<string>();
  const lookup: MinuteLookup = (siteId, minute) => {
    const key = minuteKey(siteId, minute);
    touched.add(key);
    let m = minutes.get(key);
    if (!m) {
      m = emptyMinute(siteId, minute);
      minutes.set(key, m);
    }
    return m;
  };
  return { lookup, minutes, touched };
}

export function minuteKey(siteId: string, minute: number): string {
  return `m:${siteId}:${minuteOf(minute)}`;
}

/** Applies one session change: out of the old start minute, into the new one. */
export function applySessionChange(models: MinuteLookup, change: SessionChange): void {
  if (change.before) applySession(models(change.before.siteId, minuteOf(change.before.start)), change.before, -1);
  if (change.after) applySession(models(change.after.siteId, minuteOf(change.after.start)), change.after, 1);
}

/**
 * Folds an accepted event and its sessionizer outcome into the model. A
 * `dropped` outcome (duplicate, late) is counted as a drop instead.
 */
export function foldEvent(models: MinuteLookup, event: UnifiedEvent, outcome: SessionOutcome): void {
  const own = models(event.siteId, minuteOf(event.timestamp));
  own.folds++;
  if (outcome.status === 'dropped') {
    countDrop(own.drops, event.source, outcome.reason);
    return;
  }
  applyEvent(own, event);
  if (outcome.status === 'sessionized') for (const change of outcome.changes) applySessionChange(models, change);
}

/** Counts a record that did not become an event, in the minute of its time. */
export function foldDrop(models: MinuteLookup, d: Drop): void {
  if (d.siteId === '') return;
  const m = models(d.siteId, minuteOf(d.timestamp));
  m.folds++;
  countDrop(m.drops, d.source, d.reason);
}

/** Folds `from` into `into` (sums, sketch merges); the result's `minute` stays `into`'s. */
export function mergeMinutes(into: SiteMinuteModel, from: SiteMinuteModel): SiteMinuteModel {
  into.pageviews += from.pageviews;
  into.customEvents += from.customEvents;
  into.visitors.merge(from.visitors);
  into.sessions += from.sessions;
  into.bounces += from.bounces;
  into.durationMs += from.durationMs;
  into.sessionPageviews += from.sessionPageviews;
  for (const name of ['pages', 'entryPages', 'exitPages', 'sources', 'countries', 'devices', 'browsers', 'oses'] as const) mergeCounter(into[name], from[name]);
  for (const v of vitalNames) into.vitals[v].merge(from.vitals[v]);
  mergeDropCounts(into.drops, from.drops);
  into.folds += from.folds;
  return into;
}

/** A range (hour, day, rolling hour) as one model: the merge of its minutes, starting at the earliest. */
export function mergeRange(siteId: string, minutes: readonly SiteMinuteModel[]): SiteMinuteModel {
  const start = minutes.reduce((min, m) => Math.min(min, m.minute), minutes.length === 0 ? 0 : Infinity);
  const out = emptyMinute(siteId, start);
  for (const m of minutes) mergeMinutes(out, m);
  return out;
}

export function cloneMinute(model: SiteMinuteModel): SiteMinuteModel {
  return mergeMinutes(emptyMinute(model.siteId, model.minute), model);
}

/** Figures of a model (a minute or a merged range) as report pages show them. */
export interface SiteFigures {
  siteId: string;
  windowStart: number;
  pageviews: number;
  events: number;
  visitors: number;
  visits: number;
  bounces: number;
  /** Percent of visits that bounced, 0–100; null without visits. */
  bounceRate: number | null;
  /** Mean visit duration, seconds; null without visits. */
  visitDuration: number | null;
  viewsPerVisit: number | null;
  topPages: { key: string; count: number }[];
  entryPages: { key: string; count: number }[];
  exitPages: { key: string; count: number }[];
  sources: { key: string; count: number }[];
  countries: { key: string; count: number }[];
  devices: { key: string; count: number }[];
  browsers: { key: string; count: number }[];
  oses: { key: string; count: number }[];
  vitalsP75: Record<VitalName, number | null>;
  drops: { source: string; reason: string; count: number }[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function figures(model: SiteMinuteModel, top = 10): SiteFigures {
  const visits = model.sessions;
  const p75 = {} as Record<VitalName, number | null>;
  for (const v of vitalNames) {
    const q = model.vitals[v].quantile(0.75);
    p75[v] = q === null ? null : v === 'CLS' ? Math.round(q * 1000) / 1000 : Math.round(q);
  }
  return {
    siteId: model.siteId,
    windowStart: model.minute,
    pageviews: model.pageviews,
    events: model.pageviews + model.customEvents,
    visitors: model.visitors.count(),
    visits,
    bounces: model.bounces,
    bounceRate: visits > 0 ? Math.round((model.bounces / visits) * 100) : null,
    visitDuration: visits > 0 ? Math.round(model.durationMs / visits / 1000) : null,
    viewsPerVisit: visits > 0 ? round2(model.sessionPageviews / visits) : null,
    topPages: topEntries(model.pages, top),
    entryPages: topEntries(model.entryPages, top),
    exitPages: topEntries(model.exitPages, top),
    sources: topEntries(model.sources, top),
    countries: topEntries(model.countries, top),
    devices: topEntries(model.devices, top),
    browsers: topEntries(model.browsers, top),
    oses: topEntries(model.oses, top),
    vitalsP75: p75,
    drops: dropCountRows(model.drops),
  };
}

/** The models.sites.v1 record of a minute (fields the v1 schema has; see SCHEMA-PROPOSAL.md for the rest). */
export function toSiteMinuteRecord(model: SiteMinuteModel): SiteMinute {
  const f = figures(model, TOP_PATHS_V1);
  return {
    siteId: model.siteId,
    windowStart: model.minute,
    pageviews: model.pageviews,
    visitors: f.visitors,
    sessions: model.sessions,
    bounces: model.bounces,
    vitalsP75: { lcp: f.vitalsP75.LCP, inp: f.vitalsP75.INP, cls: f.vitalsP75.CLS, fcp: f.vitalsP75.FCP, ttfb: f.vitalsP75.TTFB },
    topPaths: f.topPages.map((p) => ({ path: p.key, count: p.count })),
    modelVersion: MODEL_VERSION,
  };
}

const BYTES_VERSION = 1;
const COUNTERS = ['pages', 'entryPages', 'exitPages', 'sources', 'countries', 'devices', 'browsers', 'oses'] as const;

function writeCounter(w: ByteWriter, counter: Counter): void {
  const entries = Object.entries(counter).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  w.uint(entries.length);
  for (const [k, n] of entries) w.string(k).int(n);
}

function readCounter(r: ByteReader): Counter {
  const out: Counter = {};
  const n = r.uint();
  for (let i = 0; i < n; i++) {
    const k = r.string();
    out[k] = r.int();
  }
  return out;
}

/**
 * A minute model as bytes (Scylla blob, runtime state changelog):
 * deterministic (keys sorted), so equal models have equal bytes and replays
 * can be verified by digest. Format version 1:
 * [1] siteId minute pageviews customEvents sessions bounces durationMs
 * sessionPageviews folds, visitors sketch, 8 counters, 5 vital sketches
 * (LCP INP CLS FCP TTFB), drop counts.
 */
export function minuteToBytes(model: SiteMinuteModel): Uint8Array {
  const w = new ByteWriter().byte(BYTES_VERSION).string(model.siteId).uint(model.minute);
  w.uint(model.pageviews).uint(model.customEvents).int(model.sessions).int(model.bounces).int(model.durationMs).int(model.sessionPageviews).uint(model.folds);
  w.bytes(model.visitors.toBytes());
  for (const name of COUNTERS) writeCounter(w, model[name]);
  for (const v of vitalNames) w.bytes(model.vitals[v].toBytes());
  writeCounter(w, model.drops as Counter);
  return w.finish();
}

export function minuteFromBytes(bytes: Uint8Array): SiteMinuteModel {
  const r = new ByteReader(bytes, 'site minute model');
  const version = r.byte();
  if (version !== BYTES_VERSION) throw analyticsError('VANE_ERR_DECODE', `site minute model: format ${version} is not ${BYTES_VERSION}`);
  const model = emptyMinute(r.string(), r.uint());
  model.pageviews = r.uint();
  model.customEvents = r.uint();
  model.sessions = r.int();
  model.bounces = r.int();
  model.durationMs = r.int();
  model.sessionPageviews = r.int();
  model.folds = r.uint();
  model.visitors = DistinctSketch.fromBytes(r.bytes());
  for (const name of COUNTERS) model[name] = readCounter(r);
  for (const v of vitalNames) model.vitals[v] = QuantileSketch.fromBytes(r.bytes());
  const drops = readCounter(r);
  for (const [key, n] of Object.entries(drops)) {
    const [source, reason] = key.split(':');
    if ((source !== 'browser' && source !== 'serverlog') || reason === undefined || !isDropReason(reason)) throw analyticsError('VANE_ERR_DECODE', `site minute model: unknown drop key ${key}`);
    countDrop(model.drops, source, reason, n);
  }
  r.expectEnd();
  return model;
}

/** Structural equality of two models (figures, counters and sketch registers). */
export function minutesEqual(a: SiteMinuteModel, b: SiteMinuteModel): boolean {
  const x = minuteToBytes(a);
  const y = minuteToBytes(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
