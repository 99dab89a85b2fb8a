import type { Download } from '@vane/schemas';
import { geoError } from './errors';

/**
 * Glow's per-minute geographic buckets. Each download or share (from
 * ingest.downloads.v1, located at the gateway) is counted once in its
 * minute at every level: total, its continent, its country and its region.
 * A `GeoMinute` holds one site's minute; minutes merge by addition, so an
 * hour, a day or the rolling last hour is the merge of its minutes.
 *
 * Contract:
 * - Time: the record's eventTime, unless it lies after receivedAt +
 *   `maxClockSkewMs` or before receivedAt − `maxDelayMs` (then receivedAt).
 * - Counts are per event type ("download", "share"); `all` is their sum.
 * - Missing geo facts go to `UNKNOWN` ("??") at that level, so every level
 *   sums to the total. A region is keyed by its ISO 3166-2 code with
 *   country prefix ("DE-BE"), so region codes never clash across countries.
 * - `folds` counts the records folded in; it only grows and versions the
 *   minute's rows (ClickHouse ReplacingMergeTree, Scylla write timestamp).
 * - Drops: a record that is not counted is a `GeoDrop` with a reason
 *   (`invalid`, `unknown_type`) — counted by the caller, never silent.
 */
export const MINUTE_MS = 60_000;
export const UNKNOWN = '??';
export const geoEventTypes = ['download', 'share'] as const;
export type GeoEventType = (typeof geoEventTypes)[number];
export const geoLevels = ['total', 'continent', 'country', 'region'] as const;
export type GeoLevel = (typeof geoLevels)[number];

export interface TypeCounts {
  download: number;
  share: number;
}

export interface GeoMinute {
  siteId: string;
  /** Window start, UTC ms, a whole minute. */
  minute: number;
  total: TypeCounts;
  continents: Record<string, TypeCounts>;
  countries: Record<string, TypeCounts>;
  regions: Record<string, TypeCounts>;
  /** Counts per product id (e.g. "firefox"), all places. */
  products: Record<string, TypeCounts>;
  folds: number;
}

/** A download/share ready to count. */
export interface GeoEvent {
  eventId: string;
  siteId: string;
  type: GeoEventType;
  product: string;
  timestamp: number;
  continent: string;
  country: string;
  region: string;
}

export interface GeoDrop {
  reason: 'invalid' | 'unknown_type';
  detail: string;
  siteId: string;
  timestamp: number;
}

export interface GeoRules {
  maxClockSkewMs: number;
  maxDelayMs: number;
}

export const geoRuleDefaults: GeoRules = { maxClockSkewMs: 60_000, maxDelayMs: 24 * 3_600_000 };

export function minuteOf(t: number): number {
  return Math.floor(t / MINUTE_MS) * MINUTE_MS;
}

const CODE = /^[A-Z0-9]{1,3}(-[A-Z0-9]{1,3})?$/;

function code(value: string | null | undefined): string {
  if (!value) return UNKNOWN;
  const upper = value.toUpperCase();
  return CODE.test(upper) ? upper : UNKNOWN;
}

/** ingest.downloads.v1 record → countable event, or a named drop. */
export function geoEventOf(record: Download, rules: GeoRules = geoRuleDefaults): { ok: true; event: GeoEvent } | { ok: false; drop: GeoDrop } {
  const receivedOk = Number.isFinite(record.receivedAt) && record.receivedAt > 0;
  const fail = (reason: GeoDrop['reason'], detail: string) => ({ ok: false as const, drop: { reason, detail, siteId: record.siteId ?? '', timestamp: receivedOk ? record.receivedAt : 0 } });
  if (!record.eventId) return fail('invalid', 'eventId is empty');
  if (!record.siteId) return fail('invalid', 'siteId is empty');
  if (!receivedOk) return fail('invalid', `receivedAt ${String(record.receivedAt)} is not a time`);
  if (!record.product) return fail('invalid', 'product is empty');
  if (!(geoEventTypes as readonly string[]).includes(record.type)) return fail('unknown_type', `type "${record.type}" is not download or share`);
  const t = record.eventTime;
  const timestamp = !Number.isFinite(t) || t > record.receivedAt + rules.maxClockSkewMs || t < record.receivedAt - rules.maxDelayMs ? record.receivedAt : t;
  const country = code(record.network.country);
  const region = code(record.network.region);
  return {
    ok: true,
    event: {
      eventId: record.eventId,
      siteId: record.siteId,
      type: record.type as GeoEventType,
      product: record.product.slice(0, 64),
      timestamp,
      continent: code(record.network.continent),
      country,
      // A region must belong to the country it names; otherwise it is unknown.
      region: region !== UNKNOWN && country !== UNKNOWN && region.startsWith(`${country}-`) ? region : UNKNOWN,
    },
  };
}

const zero = (): TypeCounts => ({ download: 0, share: 0 });

export function emptyGeoMinute(siteId: string, minute: number): GeoMinute {
  return { siteId, minute: minuteOf(minute), total: zero(), continents: {}, countries: {}, regions: {}, products: {}, folds: 0 };
}

function bump(map: Record<string, TypeCounts>, key: string, type: GeoEventType, n: number): void {
  const c = (map[key] ??= zero());
  c[type] += n;
}

/** Counts one event in `minute` (which must be the event's minute). */
export function addGeoEvent(minute: GeoMinute, event: GeoEvent): void {
  if (minuteOf(event.timestamp) !== minute.minute || event.siteId !== minute.siteId) {
    throw geoError('VANE_ERR_BAD_INPUT', `event ${event.eventId} (${event.siteId}, ${new Date(event.timestamp).toISOString()}) does not belong to ${minute.siteId} at ${new Date(minute.minute).toISOString()}`);
  }
  minute.total[event.type]++;
  bump(minute.continents, event.continent, event.type, 1);
  bump(minute.countries, event.country, event.type, 1);
  bump(minute.regions, event.region, event.type, 1);
  bump(minute.products, event.product, event.type, 1);
  minute.folds++;
}

/** Counts a dropped record (it still versions the minute it fell in). */
export function addGeoDrop(minute: GeoMinute): void {
  minute.folds++;
}

function mergeMap(into: Record<string, TypeCounts>, from: Record<string, TypeCounts>): void {
  for (const [k, c] of Object.entries(from)) {
    bump(into, k, 'download', c.download);
    bump(into, k, 'share', c.share);
  }
}

/** Folds `from` into `into` (addition); `into` keeps its minute. */
export function mergeGeoMinutes(into: GeoMinute, from: GeoMinute): GeoMinute {
  into.total.download += from.total.download;
  into.total.share += from.total.share;
  mergeMap(into.continents, from.continents);
  mergeMap(into.countries, from.countries);
  mergeMap(into.regions, from.regions);
  mergeMap(into.products, from.products);
  into.folds += from.folds;
  return into;
}

/** The merge of `minutes` as one bucket starting at the earliest. */
export function mergeGeoRange(siteId: string, minutes: readonly GeoMinute[]): GeoMinute {
  const start = minutes.reduce((min, m) => Math.min(min, m.minute), minutes.length === 0 ? 0 : Infinity);
  const out = emptyGeoMinute(siteId, start);
  for (const m of minutes) mergeGeoMinutes(out, m);
  return out;
}

function sortedMap(map: Record<string, TypeCounts>): Record<string, TypeCounts> {
  const out: Record<string, TypeCounts> = {};
  for (const k of Object.keys(map).sort()) out[k] = { download: map[k]!.download, share: map[k]!.share };
  return out;
}

/** Deterministic JSON (sorted keys): the Scylla `model` text, equal for equal minutes. */
export function geoMinuteToJson(m: GeoMinute): string {
  return JSON.stringify({
    siteId: m.siteId,
    minute: m.minute,
    total: m.total,
    continents: sortedMap(m.continents),
    countries: sortedMap(m.countries),
    regions: sortedMap(m.regions),
    products: sortedMap(m.products),
    folds: m.folds,
  });
}

function isCounts(v: unknown): v is TypeCounts {
  const c = v as TypeCounts;
  return typeof v === 'object' && v !== null && Number.isInteger(c.download) && Number.isInteger(c.share) && c.download >= 0 && c.share >= 0;
}

function isCountsMap(v: unknown): v is Record<string, TypeCounts> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isCounts);
}

export function geoMinuteFromJson(text: string): GeoMinute {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw geoError('VANE_ERR_DECODE', `geo minute: not JSON (${(error as Error).message})`);
  }
  const m = raw as GeoMinute;
  if (
    typeof m !== 'object' || m === null || typeof m.siteId !== 'string' || !Number.isInteger(m.minute) || m.minute % MINUTE_MS !== 0 || !isCounts(m.total) ||
    !isCountsMap(m.continents) || !isCountsMap(m.countries) || !isCountsMap(m.regions) || !isCountsMap(m.products) || !Number.isInteger(m.folds)
  ) {
    throw geoError('VANE_ERR_DECODE', 'geo minute: not a geo minute document');
  }
  return { siteId: m.siteId, minute: m.minute, total: m.total, continents: m.continents, countries: m.countries, regions: m.regions, products: m.products, folds: m.folds };
}

// ---------------------------------------------------------------- Glow JSON documents

/** Counts as the map reads them: per type and their sum. */
export interface GlowCounts {
  download: number;
  share: number;
  all: number;
}

/**
 * The JSON document a live map reads (served with CORS by the realtime
 * gateway). `minute` is an ISO timestamp of the window start; `to` is the
 * end (exclusive). Places are sorted by count descending, then code.
 */
export interface GlowDocument {
  siteId: string;
  kind: 'minute' | 'hour';
  from: string;
  to: string;
  total: GlowCounts;
  continents: { code: string; counts: GlowCounts }[];
  countries: { code: string; counts: GlowCounts }[];
  regions: { code: string; counts: GlowCounts }[];
  products: { code: string; counts: GlowCounts }[];
  /** Rolling documents only: total per minute, oldest first, one entry per minute (zeros included). */
  series?: { minute: string; counts: GlowCounts }[];
}

const glow = (c: TypeCounts): GlowCounts => ({ download: c.download, share: c.share, all: c.download + c.share });

function places(map: Record<string, TypeCounts>): { code: string; counts: GlowCounts }[] {
  return Object.entries(map)
    .map(([k, c]) => ({ code: k, counts: glow(c) }))
    .filter((p) => p.counts.all > 0)
    .sort((a, b) => b.counts.all - a.counts.all || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The document of one minute (the current one, or any past one read back from the store); an absent minute is all zeros. */
export function glowMinuteDocument(siteId: string, minute: number, bucket: GeoMinute | undefined): GlowDocument {
  const start = minuteOf(minute);
  const m = bucket ?? emptyGeoMinute(siteId, start);
  return { siteId, kind: 'minute', from: iso(start), to: iso(start + MINUTE_MS), total: glow(m.total), continents: places(m.continents), countries: places(m.countries), regions: places(m.regions), products: places(m.products) };
}

/**
 * The rolling last hour at `now`: the 60 minutes ending with now's minute
 * (inclusive). `minutes` may hold any minutes; those outside the window are
 * ignored, missing ones count as zero.
 */
export function glowHourDocument(siteId: string, now: number, minutes: readonly GeoMinute[]): GlowDocument {
  const last = minuteOf(now);
  const first = last - 59 * MINUTE_MS;
  const inWindow = minutes.filter((m) => m.siteId === siteId && m.minute >= first && m.minute <= last);
  const merged = mergeGeoRange(siteId, inWindow);
  const byMinute = new Map(inWindow.map((m) => [m.minute, m]));
  const series: { minute: string; counts: GlowCounts }[] = [];
  for (let t = first; t <= last; t += MINUTE_MS) {
    const m = byMinute.get(t);
    series.push({ minute: iso(t), counts: glow(m ? m.total : zero()) });
  }
  return { siteId, kind: 'hour', from: iso(first), to: iso(last + MINUTE_MS), total: glow(merged.total), continents: places(merged.continents), countries: places(merged.countries), regions: places(merged.regions), products: places(merged.products), series };
}

/**
 * Parses the minute a request names: ISO 8601 ("2026-05-12T10:04Z",
 * "2026-05-12T10:04:00.000Z") or epoch milliseconds; rounds down to the
 * minute. Throws VANE_ERR_BAD_INPUT for anything else (the gateway answers 400).
 */
export function parseMinute(text: string): number {
  const trimmed = text.trim();
  let ms: number;
  if (/^\d{10,16}$/.test(trimmed)) ms = Number(trimmed);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) ms = Date.parse(trimmed);
  else ms = Number.NaN;
  if (!Number.isFinite(ms)) throw geoError('VANE_ERR_BAD_INPUT', `"${text}" is not a minute: use ISO 8601 with a zone (2026-05-12T10:04Z) or epoch milliseconds`);
  return minuteOf(ms);
}
