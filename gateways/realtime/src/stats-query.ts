import { analyticsTableNames } from '@vane/analytics';
import { badInput } from './errors';

/**
 * Stats API, compatible with Plausible's Stats API v2 (`POST /api/v2/query`):
 * body → validated `StatsQuery` (`parseStatsQuery`) → ClickHouse SQL over the
 * analytics tables (`buildStatsSql`) → `{results, meta, query}`
 * (`shapeStatsResponse`). Pure: `now` and the site come in as arguments.
 *
 * What is supported (anything else is a 400 naming the offending entry, in
 * Plausible's words, e.g. `#/metrics/1: Unknown metric "bounces".`):
 * - metrics: visitors, visits, pageviews, views_per_visit, bounce_rate,
 *   visit_duration, events;
 * - dimensions: event:page, event:hostname, visit:entry_page,
 *   visit:exit_page, visit:source, visit:referrer, visit:utm_medium,
 *   visit:utm_source, visit:utm_campaign, visit:utm_content, visit:utm_term,
 *   visit:device, visit:browser, visit:os, visit:country, visit:region,
 *   visit:city, time, time:hour, time:day, time:week, time:month;
 * - date_range: "day", "Nd" (e.g. "7d", "30d": the N days before today),
 *   "month", "Nmo", "year", "all", or [from, to] as dates or ISO date-times
 *   with a zone; all days are UTC days (sites have no time zone yet);
 * - filters: is, is_not, contains, contains_not, matches, matches_not (re2,
 *   as ClickHouse's match) with `{case_sensitive: false}` for is/contains,
 *   combined with and, or, not;
 * - order_by, include.time_labels, include.total_rows, pagination.
 *
 * How a query is answered:
 * - Without event:* dimensions or filters, everything comes from `sessions`
 *   (FINAL, not deleted, by session start): visitors = distinct visitor
 *   ids, visits = sessions, pageviews/events = sums over the sessions.
 * - With event:* dimensions or filters, event metrics come from `events`
 *   (pageviews and custom events, by event time; visit dimensions read the
 *   event's v_* columns) with the whole filter applied to each event.
 *   Session metrics are then computed over the sessions that have at least
 *   one matching event, and joined by dimension values; with an event:*
 *   dimension they are refused (as Plausible does), and visit:exit_page
 *   cannot be used (events do not know their session's exit).
 * - Empty values show as "(not set)", a visit without source as
 *   "Direct / None"; filters compare the same shown values.
 *
 * SQL safety: every value a client sends reaches SQL only as a bound
 * parameter. `sql` uses ClickHouse query parameters (`{p0:String}`, current
 * releases; pass `params` as the client's query_params); `inlineSql` is the
 * same query with each parameter written as an escaped literal, for
 * ClickHouse 18.16, which has no query parameters. Identifiers (columns,
 * aliases, functions) come only from the fixed tables below.
 */

export const statsMetrics = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration', 'events'] as const;
export type StatsMetric = (typeof statsMetrics)[number];
const SESSION_METRICS: readonly StatsMetric[] = ['views_per_visit', 'bounce_rate', 'visit_duration'];

export const timeDimensions = ['time', 'time:hour', 'time:day', 'time:week', 'time:month'] as const;
export type TimeDimension = (typeof timeDimensions)[number];
export const eventDimensions = ['event:page', 'event:hostname'] as const;
export const visitDimensions = [
  'visit:entry_page',
  'visit:exit_page',
  'visit:source',
  'visit:referrer',
  'visit:utm_medium',
  'visit:utm_source',
  'visit:utm_campaign',
  'visit:utm_content',
  'visit:utm_term',
  'visit:device',
  'visit:browser',
  'visit:os',
  'visit:country',
  'visit:region',
  'visit:city',
] as const;
export type PropertyDimension = (typeof eventDimensions)[number] | (typeof visitDimensions)[number];
export type StatsDimension = PropertyDimension | TimeDimension;

export const filterOperators = ['is', 'is_not', 'contains', 'contains_not', 'matches', 'matches_not'] as const;
export type FilterOperator = (typeof filterOperators)[number];

export interface LeafFilter {
  op: FilterOperator;
  dimension: PropertyDimension;
  clauses: string[];
  caseSensitive: boolean;
}
export type StatsFilter = LeafFilter | { op: 'and' | 'or'; filters: StatsFilter[] } | { op: 'not'; filter: StatsFilter };

function isLeaf(f: StatsFilter): f is LeafFilter {
  return 'dimension' in f;
}

export type DateRangeInput = string | [string, string];

export interface StatsQuery {
  siteId: string;
  metrics: StatsMetric[];
  dateRange: DateRangeInput;
  dimensions: StatsDimension[];
  filters: StatsFilter[];
  /** The filters as sent (echoed in the response). */
  rawFilters: unknown[];
  orderBy: [StatsMetric | StatsDimension, 'asc' | 'desc'][] | null;
  include: { timeLabels: boolean; totalRows: boolean; imports: boolean };
  pagination: { limit: number; offset: number };
}

export const MAX_LIMIT = 10_000;
const MAX_FILTERS = 50;
const MAX_DEPTH = 5;
const MAX_CLAUSES = 100;
const MAX_VALUE_LENGTH = 1_000;

const json = (value: unknown) => JSON.stringify(value);

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function parseMetrics(value: unknown): StatsMetric[] {
  if (!Array.isArray(value) || value.length === 0) throw badInput('#/metrics: expected a non-empty list of metrics.');
  const out: StatsMetric[] = [];
  value.forEach((m, i) => {
    if (typeof m !== 'string' || !(statsMetrics as readonly string[]).includes(m)) throw badInput(`#/metrics/${i}: Unknown metric ${json(m)}.`);
    if (out.includes(m as StatsMetric)) throw badInput(`#/metrics/${i}: Metrics cannot be queried multiple times (${json(m)}).`);
    out.push(m as StatsMetric);
  });
  return out;
}

function isPropertyDimension(d: unknown): d is PropertyDimension {
  return typeof d === 'string' && ((eventDimensions as readonly string[]).includes(d) || (visitDimensions as readonly string[]).includes(d));
}

function isTimeDimension(d: unknown): d is TimeDimension {
  return typeof d === 'string' && (timeDimensions as readonly string[]).includes(d);
}

function parseDimensions(value: unknown): StatsDimension[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badInput(`#/dimensions: Invalid dimensions ${json(value)}: expected a list.`);
  const out: StatsDimension[] = [];
  value.forEach((d, i) => {
    if (!isPropertyDimension(d) && !isTimeDimension(d)) throw badInput(`#/dimensions/${i}: Invalid dimension ${json(d)}.`);
    if (out.includes(d)) throw badInput(`#/dimensions/${i}: Some dimensions are listed multiple times (${json(d)}).`);
    if (isTimeDimension(d) && out.some(isTimeDimension)) throw badInput(`#/dimensions/${i}: Only one time dimension can be used (${json(d)}).`);
    out.push(d);
  });
  return out;
}

function parseFilter(value: unknown, path: string, depth: number, count: { n: number }): StatsFilter {
  if (++count.n > MAX_FILTERS) throw badInput(`${path}: at most ${MAX_FILTERS} filters can be combined.`);
  if (depth > MAX_DEPTH) throw badInput(`${path}: filters nest at most ${MAX_DEPTH} levels deep.`);
  if (!Array.isArray(value) || typeof value[0] !== 'string') throw badInput(`${path}: Invalid filter ${json(value)}.`);
  const op = value[0];
  if (op === 'and' || op === 'or') {
    if (value.length !== 2 || !Array.isArray(value[1]) || value[1].length === 0) throw badInput(`${path}: Invalid filter ${json(value)}: "${op}" takes a non-empty list of filters.`);
    return { op, filters: (value[1] as unknown[]).map((f, i) => parseFilter(f, `${path}/1/${i}`, depth + 1, count)) };
  }
  if (op === 'not') {
    if (value.length !== 2) throw badInput(`${path}: Invalid filter ${json(value)}: "not" takes one filter.`);
    return { op, filter: parseFilter(value[1], `${path}/1`, depth + 1, count) };
  }
  if (!(filterOperators as readonly string[]).includes(op)) throw badInput(`${path}: Unknown operator for filter ${json(value)}.`);
  const [, dimension, clauses, modifiers] = value as unknown[];
  if (!isPropertyDimension(dimension)) throw badInput(`${path}/1: Invalid filter dimension ${json(dimension)} in ${json(value)}.`);
  if (!isStringArray(clauses) || clauses.length === 0 || clauses.length > MAX_CLAUSES) throw badInput(`${path}/2: Invalid filter ${json(value)}: clauses must be a list of 1 to ${MAX_CLAUSES} strings.`);
  for (const c of clauses) if (c.length > MAX_VALUE_LENGTH) throw badInput(`${path}/2: a filter value is longer than ${MAX_VALUE_LENGTH} characters.`);
  if (value.length > 4) throw badInput(`${path}: Invalid filter ${json(value)}.`);
  let caseSensitive = true;
  if (modifiers !== undefined) {
    const m = modifiers as Record<string, unknown>;
    if (typeof modifiers !== 'object' || modifiers === null || Array.isArray(modifiers) || Object.keys(m).some((k) => k !== 'case_sensitive') || (m.case_sensitive !== undefined && typeof m.case_sensitive !== 'boolean')) {
      throw badInput(`${path}/3: Invalid filter modifiers ${json(modifiers)}: only {"case_sensitive": boolean} is known.`);
    }
    if (m.case_sensitive === false) {
      if (op !== 'is' && op !== 'is_not' && op !== 'contains' && op !== 'contains_not') throw badInput(`${path}/3: case_sensitive applies to is, is_not, contains and contains_not only.`);
      caseSensitive = false;
    }
  }
  if (op === 'matches' || op === 'matches_not') {
    for (const c of clauses) {
      try {
        new RegExp(c, 'u');
      } catch {
        throw badInput(`${path}/2: ${json(c)} is not a valid regular expression.`);
      }
    }
  }
  if (dimension === 'visit:country' && (op === 'is' || op === 'is_not') && !clauses.every((c) => /^[A-Za-z]{2}$/.test(c) || c === '(not set)')) {
    throw badInput(`${path}/2: Invalid visit:country filter, visit:country needs to be a valid 2-letter country code.`);
  }
  return { op: op as FilterOperator, dimension, clauses, caseSensitive };
}

function parseFilters(value: unknown): StatsFilter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badInput(`#/filters: Invalid filters passed: expected a list.`);
  const count = { n: 0 };
  return value.map((f, i) => parseFilter(f, `#/filters/${i}`, 1, count));
}

const SHORTHAND = /^(?:day|month|year|all|[1-9]\d{0,3}d|[1-9]\d?mo)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

function parseDateRange(value: unknown): DateRangeInput {
  if (typeof value === 'string' && SHORTHAND.test(value)) return value;
  if (Array.isArray(value) && value.length === 2 && isStringArray(value)) {
    const [a, b] = value;
    const bothDates = DATE.test(a) && DATE.test(b);
    const bothTimes = DATETIME.test(a) && DATETIME.test(b);
    if ((bothDates || bothTimes) && !Number.isNaN(Date.parse(a)) && !Number.isNaN(Date.parse(b))) return [a, b];
  }
  throw badInput(`#/date_range: Invalid date_range ${json(value)}: use "day", "7d", "30d", "month", "year", "all" or [from, to] (ISO 8601 dates, or date-times with a zone).`);
}

function parseOrderBy(value: unknown, metrics: StatsMetric[], dimensions: StatsDimension[]): StatsQuery['orderBy'] {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw badInput(`#/order_by: Invalid order_by ${json(value)}.`);
  return value.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || (entry[1] !== 'asc' && entry[1] !== 'desc')) throw badInput(`#/order_by/${i}: Invalid order_by entry ${json(entry)}.`);
    const name = entry[0];
    if (!(metrics as string[]).includes(name) && !(dimensions as string[]).includes(name)) throw badInput(`#/order_by/${i}: Invalid order_by entry ${json(entry)}. Entry is not a queried metric or dimension.`);
    return [name as StatsMetric | StatsDimension, entry[1]];
  });
}

function parseInclude(value: unknown, dimensions: StatsDimension[]): StatsQuery['include'] {
  const include = { timeLabels: false, totalRows: false, imports: false };
  if (value === undefined || value === null) return include;
  if (typeof value !== 'object' || Array.isArray(value)) throw badInput(`#/include: Invalid include ${json(value)}.`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'boolean' || !['time_labels', 'total_rows', 'imports'].includes(k)) throw badInput(`#/include/${k}: Invalid include ${json(value)}: time_labels, total_rows and imports take booleans.`);
  }
  const raw = value as Record<string, boolean>;
  include.timeLabels = raw.time_labels === true;
  include.totalRows = raw.total_rows === true;
  include.imports = raw.imports === true;
  if (include.timeLabels && !dimensions.some(isTimeDimension)) throw badInput('#/include/time_labels: Invalid include.time_labels: requires a time dimension.');
  return include;
}

function parsePagination(value: unknown): StatsQuery['pagination'] {
  const out = { limit: MAX_LIMIT, offset: 0 };
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) throw badInput(`#/pagination: Invalid pagination ${json(value)}.`);
  for (const [k, v] of Object.entries(value)) {
    if (k === 'limit' && Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_LIMIT) out.limit = v as number;
    else if (k === 'offset' && Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1_000_000) out.offset = v as number;
    else throw badInput(`#/pagination/${k}: Invalid pagination ${json(value)}: limit 1..${MAX_LIMIT}, offset >= 0.`);
  }
  return out;
}

function walk(filters: readonly StatsFilter[], visit: (f: LeafFilter) => void): void {
  for (const f of filters) {
    if (isLeaf(f)) visit(f);
    else if ('filters' in f) walk(f.filters, visit);
    else walk([f.filter], visit);
  }
}

const isEventDimension = (d: string) => d.startsWith('event:');

/** Validates a request body; throws VANE_ERR_BAD_INPUT with a Plausible-style message naming the bad entry. */
export function parseStatsQuery(body: unknown): StatsQuery {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badInput('#: the query must be a JSON object.');
  const b = body as Record<string, unknown>;
  const known = ['site_id', 'metrics', 'date_range', 'dimensions', 'filters', 'order_by', 'include', 'pagination'];
  for (const k of Object.keys(b)) if (!known.includes(k)) throw badInput(`#/${k}: Unknown query key ${json(k)}.`);
  if (typeof b.site_id !== 'string' || b.site_id === '') throw badInput('#/site_id: site_id is required (the site\'s domain or id).');
  if (b.date_range === undefined) throw badInput('#/date_range: date_range is required.');
  const metrics = parseMetrics(b.metrics);
  const dateRange = parseDateRange(b.date_range);
  const dimensions = parseDimensions(b.dimensions);
  const filters = parseFilters(b.filters);
  const orderBy = parseOrderBy(b.order_by, metrics, dimensions);
  const include = parseInclude(b.include, dimensions);
  const pagination = parsePagination(b.pagination);

  let eventFilter = false;
  let exitPageUsed = dimensions.includes('visit:exit_page');
  walk(filters, (f) => {
    if (isEventDimension(f.dimension)) eventFilter = true;
    if (f.dimension === 'visit:exit_page') exitPageUsed = true;
  });
  const eventDimension = dimensions.find(isEventDimension);
  if (eventDimension) {
    const bad = metrics.filter((m) => SESSION_METRICS.includes(m));
    if (bad.length > 0) throw badInput(`#/metrics: Session metric(s) ${bad.map((m) => `\`${m}\``).join(', ')} cannot be queried along with event dimension ${json(eventDimension)}.`);
  }
  if ((eventDimension || eventFilter) && exitPageUsed) throw badInput('#/dimensions: visit:exit_page cannot be combined with event:* dimensions or filters.');
  return { siteId: b.site_id, metrics, dateRange, dimensions, filters, rawFilters: (b.filters as unknown[] | undefined) ?? [], orderBy, include, pagination };
}

// ---------------------------------------------------------------- date ranges

const DAY_MS = 86_400_000;

export interface ResolvedRange {
  /** Inclusive start, UTC ms. */
  from: number;
  /** Exclusive end, UTC ms. */
  to: number;
  /** The range as Plausible echoes it: ISO date-times of the first and last second. */
  label: [string, string];
}

const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const isoSecond = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;

/**
 * The UTC interval a date range names at `now`. "Nd" is the N whole days
 * before today; "Nmo" the N whole months before this one; "day", "month",
 * "year" the whole current day/month/year; "all" from `statsStart` (the
 * site's first data, default 2000-01-01) through today.
 */
export function resolveDateRange(range: DateRangeInput, now: number, statsStart = Date.UTC(2000, 0, 1)): ResolvedRange {
  const today = dayStart(now);
  const d = new Date(today);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  let from: number;
  let to: number;
  if (Array.isArray(range)) {
    const [a, b] = range;
    if (DATE.test(a)) {
      from = Date.parse(`${a}T00:00:00Z`);
      to = Date.parse(`${b}T00:00:00Z`) + DAY_MS;
    } else {
      from = Math.floor(Date.parse(a.replace(' ', 'T')) / 1000) * 1000;
      to = Math.floor(Date.parse(b.replace(' ', 'T')) / 1000) * 1000 + 1000;
    }
    if (!(from < to)) throw badInput(`#/date_range: Invalid date_range ${json(range)}: the start is after the end.`);
  } else if (range === 'day') {
    from = today;
    to = today + DAY_MS;
  } else if (range === 'month') {
    from = Date.UTC(y, mo, 1);
    to = Date.UTC(y, mo + 1, 1);
  } else if (range === 'year') {
    from = Date.UTC(y, 0, 1);
    to = Date.UTC(y + 1, 0, 1);
  } else if (range === 'all') {
    from = Math.min(dayStart(statsStart), today);
    to = today + DAY_MS;
  } else if (range.endsWith('mo')) {
    const n = Number(range.slice(0, -2));
    from = Date.UTC(y, mo - n, 1);
    to = Date.UTC(y, mo, 1);
  } else {
    const n = Number(range.slice(0, -1));
    from = today - n * DAY_MS;
    to = today;
  }
  return { from, to, label: [isoSecond(from), isoSecond(to - 1000)] };
}

type Bucket = 'hour' | 'day' | 'week' | 'month';

/** The bucket the plain `time` dimension uses for a range: hours up to 2 days, days up to 92, else months. */
export function timeBucketFor(range: ResolvedRange): Bucket {
  const span = range.to - range.from;
  return span <= 2 * DAY_MS ? 'hour' : span <= 92 * DAY_MS ? 'day' : 'month';
}

function bucketOf(dimension: TimeDimension, range: ResolvedRange): Bucket {
  return dimension === 'time' ? timeBucketFor(range) : (dimension.slice(5) as Bucket);
}

/** Every label of `bucket` in the range, as the SQL formats them ("2026-05-12 10:00:00" for hours, "2026-05-12" otherwise). */
export function timeLabels(range: ResolvedRange, bucket: Bucket): string[] {
  const labels: string[] = [];
  const first = new Date(range.from);
  let t: number;
  if (bucket === 'hour') t = Math.floor(range.from / 3_600_000) * 3_600_000;
  else if (bucket === 'day') t = dayStart(range.from);
  else if (bucket === 'week') t = dayStart(range.from) - ((first.getUTCDay() + 6) % 7) * DAY_MS;
  else t = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1);
  while (t < range.to && labels.length < 100_000) {
    const iso = new Date(t).toISOString();
    labels.push(bucket === 'hour' ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10));
    if (bucket === 'hour') t += 3_600_000;
    else if (bucket === 'day') t += DAY_MS;
    else if (bucket === 'week') t += 7 * DAY_MS;
    else {
      const d = new Date(t);
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
  return labels;
}

// ---------------------------------------------------------------- SQL

export interface SqlParams {
  [name: string]: string | number;
}

/** Builds SQL text with bound parameters; `literal` renders the 18.16 form. */
class SqlBuilder {
  readonly params: SqlParams = {};
  private readonly types: Record<string, 'String' | 'Int64'> = {};
  private n = 0;

  string(value: string): string {
    const name = `p${this.n++}`;
    this.params[name] = value;
    this.types[name] = 'String';
    return `{${name}:String}`;
  }

  int(value: number): string {
    if (!Number.isSafeInteger(value)) throw badInput(`${value} is not an integer`);
    const name = `p${this.n++}`;
    this.params[name] = value;
    this.types[name] = 'Int64';
    return `{${name}:Int64}`;
  }

  /** The query with every parameter written as a literal (ClickHouse 18.16 has no query parameters). */
  inline(sql: string): string {
    return sql.replace(/\{(p\d+):(String|Int64)\}/g, (_, name: string) => {
      const v = this.params[name]!;
      return this.types[name] === 'Int64' ? String(v) : quoteString(String(v));
    });
  }
}

/** A ClickHouse string literal: backslash and single quote escaped, control characters as \xHH. */
export function quoteString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

type Mode = 'sessions' | 'events';

/** Column expressions per table: what each dimension reads, with empty values shown as Plausible shows them. */
const NONE = "'(not set)'";
function shown(column: string, empty = NONE): string {
  return `if(${column} = '', ${empty}, ${column})`;
}

const EVENT_COLUMNS: Record<PropertyDimension, string | null> = {
  'event:page': shown('pathname'),
  'event:hostname': shown('hostname'),
  'visit:entry_page': shown('v_entry_page'),
  'visit:exit_page': null,
  'visit:source': shown('v_source', "'Direct / None'"),
  'visit:referrer': shown('v_referrer', "'Direct / None'"),
  'visit:utm_medium': shown('v_utm_medium'),
  'visit:utm_source': shown('v_utm_source'),
  'visit:utm_campaign': shown('v_utm_campaign'),
  'visit:utm_content': shown('v_utm_content'),
  'visit:utm_term': shown('v_utm_term'),
  'visit:device': shown('device'),
  'visit:browser': shown('browser'),
  'visit:os': shown('os'),
  'visit:country': shown('country'),
  'visit:region': shown('region'),
  'visit:city': shown('city'),
};

const SESSION_COLUMNS: Record<PropertyDimension, string | null> = {
  'event:page': null,
  'event:hostname': null,
  'visit:entry_page': shown('entry_page'),
  'visit:exit_page': shown('exit_page'),
  'visit:source': shown('referrer_source', "'Direct / None'"),
  'visit:referrer': shown('referrer', "'Direct / None'"),
  'visit:utm_medium': shown('utm_medium'),
  'visit:utm_source': shown('utm_source'),
  'visit:utm_campaign': shown('utm_campaign'),
  'visit:utm_content': shown('utm_content'),
  'visit:utm_term': shown('utm_term'),
  'visit:device': shown('device'),
  'visit:browser': shown('browser'),
  'visit:os': shown('os'),
  'visit:country': shown('country'),
  'visit:region': shown('region'),
  'visit:city': shown('city'),
};

const TIME_SQL: Record<Bucket, (col: string) => string> = {
  hour: (c) => `toString(toStartOfHour(${c}))`,
  day: (c) => `toString(toDate(${c}))`,
  week: (c) => `toString(toMonday(${c}))`,
  month: (c) => `toString(toStartOfMonth(${c}))`,
};

const EVENT_METRICS: Partial<Record<StatsMetric, string>> = {
  visitors: 'uniqExact(visitor_id)',
  visits: 'uniqExact(session_id)',
  pageviews: "countIf(kind = 'pageview')",
  events: 'count()',
};

const SESSIONS_METRICS: Record<StatsMetric, string> = {
  visitors: 'uniqExact(visitor_id)',
  visits: 'count()',
  pageviews: 'sum(pageviews)',
  events: 'sum(pageviews + events)',
  bounce_rate: 'if(count() = 0, 0, round(100 * sum(is_bounce) / count()))',
  visit_duration: 'if(count() = 0, 0, round(avg(duration_ms) / 1000))',
  views_per_visit: 'if(count() = 0, 0, round(sum(pageviews) / count(), 2))',
};

function condition(sql: SqlBuilder, f: StatsFilter, columns: Record<PropertyDimension, string | null>): string {
  if (!isLeaf(f)) {
    if ('filters' in f) return `(${f.filters.map((x) => condition(sql, x, columns)).join(f.op === 'and' ? ' AND ' : ' OR ')})`;
    return `NOT (${condition(sql, f.filter, columns)})`;
  }
  const column = columns[f.dimension];
  if (column === null) throw badInput(`${f.dimension} cannot be used in this query.`);
  const lower = !f.caseSensitive;
  const col = lower ? `lower(${column})` : column;
  const value = (v: string) => (lower ? `lower(${sql.string(v)})` : sql.string(v));
  switch (f.op) {
    case 'is':
      return `${col} IN (${f.clauses.map(value).join(', ')})`;
    case 'is_not':
      return `${col} NOT IN (${f.clauses.map(value).join(', ')})`;
    case 'contains':
      return `(${f.clauses.map((v) => `position(${col}, ${value(v)}) > 0`).join(' OR ')})`;
    case 'contains_not':
      return `NOT (${f.clauses.map((v) => `position(${col}, ${value(v)}) > 0`).join(' OR ')})`;
    case 'matches':
      return `(${f.clauses.map((v) => `match(${column}, ${sql.string(v)})`).join(' OR ')})`;
    case 'matches_not':
      return `NOT (${f.clauses.map((v) => `match(${column}, ${sql.string(v)})`).join(' OR ')})`;
  }
}

export interface StatsSite {
  /** The site id stored in the tables (the caller resolved site_id — domain or id — to it). */
  siteId: string;
  /** The site's first data (for "all"); default 2000-01-01. */
  statsStart?: number;
}

export interface StatsSqlOptions {
  database: string;
  now: number;
  /** Physical table names (versioned by the runtime); default the logical ones. */
  tables?: { events?: string; sessions?: string };
}

export interface StatsPlan {
  /** Query with ClickHouse parameters `{pN:Type}` (current releases). */
  sql: string;
  /** The same with escaped literals (ClickHouse 18.16). */
  inlineSql: string;
  /** `SELECT count()` over the unpaginated rows, when include.total_rows is set. */
  countSql: string | null;
  inlineCountSql: string | null;
  params: SqlParams;
  mode: Mode;
  range: ResolvedRange;
  /** Result column of each dimension and metric, in query order. */
  dimensionColumns: string[];
  metricColumns: string[];
  /** Resolved order (echoed in the response). */
  orderBy: [string, 'asc' | 'desc'][];
  /** Time bucket of the time dimension, if any. */
  timeBucket: Bucket | null;
}

const metricColumn = (m: StatsMetric) => `m_${m}`;
const dimensionColumn = (i: number) => `d${i}`;

/**
 * The SQL answering `query` for `site`. Throws VANE_ERR_BAD_INPUT only for
 * a date range whose start is after its end; everything else was checked by
 * parseStatsQuery.
 */
export function buildStatsSql(query: StatsQuery, site: StatsSite, options: StatsSqlOptions): StatsPlan {
  const sql = new SqlBuilder();
  const range = resolveDateRange(query.dateRange, options.now, site.statsStart);
  const db = options.database;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) throw badInput(`database name ${json(db)} is not an identifier`);
  const eventsTable = `${db}.${options.tables?.events ?? analyticsTableNames.events}`;
  const sessionsTable = `${db}.${options.tables?.sessions ?? analyticsTableNames.sessions}`;
  for (const t of [eventsTable, sessionsTable]) if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(t)) throw badInput(`table name ${json(t)} is not an identifier`);

  let eventFilter = false;
  walk(query.filters, (f) => {
    if (isEventDimension(f.dimension)) eventFilter = true;
  });
  const mode: Mode = eventFilter || query.dimensions.some(isEventDimension) ? 'events' : 'sessions';
  const timeDim = query.dimensions.find(isTimeDimension) ?? null;
  const timeBucket = timeDim ? bucketOf(timeDim, range) : null;

  const siteParam = sql.string(site.siteId);
  const fromParam = sql.int(Math.floor(range.from / 1000));
  const toParam = sql.int(Math.floor(range.to / 1000));

  const dims = (columns: Record<PropertyDimension, string | null>, timeColumn: string) =>
    query.dimensions.map((d, i) => `${isTimeDimension(d) ? TIME_SQL[timeBucket!](timeColumn) : columns[d]!} AS ${dimensionColumn(i)}`);
  const groupBy = query.dimensions.length > 0 ? ` GROUP BY ${query.dimensions.map((_, i) => dimensionColumn(i)).join(', ')}` : '';
  const filterSql = (columns: Record<PropertyDimension, string | null>) => query.filters.map((f) => ` AND ${condition(sql, f, columns)}`).join('');

  const eventWhere = `site_id = ${siteParam} AND timestamp >= toDateTime(${fromParam}) AND timestamp < toDateTime(${toParam}) AND kind IN ('pageview', 'event')`;
  const sessionWhere = `site_id = ${siteParam} AND deleted = 0 AND start_time >= toDateTime(${fromParam}) AND start_time < toDateTime(${toParam})`;

  let inner: string;
  if (mode === 'sessions') {
    const select = [...dims(SESSION_COLUMNS, 'start_time'), ...query.metrics.map((m) => `${SESSIONS_METRICS[m]} AS ${metricColumn(m)}`)];
    inner = `SELECT ${select.join(', ')} FROM ${sessionsTable} FINAL WHERE ${sessionWhere}${filterSql(SESSION_COLUMNS)}${groupBy}`;
  } else {
    const eventMetrics = query.metrics.filter((m) => EVENT_METRICS[m] !== undefined);
    const sessionMetrics = query.metrics.filter((m) => EVENT_METRICS[m] === undefined);
    const key = query.dimensions.length === 0 ? ['1 AS k'] : [];
    const eventSelect = [...key, ...dims(EVENT_COLUMNS, 'timestamp'), ...eventMetrics.map((m) => `${EVENT_METRICS[m]!} AS ${metricColumn(m)}`)];
    const eventSql = `SELECT ${eventSelect.join(', ')} FROM ${eventsTable} FINAL WHERE ${eventWhere}${filterSql(EVENT_COLUMNS)}${groupBy}`;
    if (sessionMetrics.length === 0) {
      inner = eventSql;
    } else {
      const matching = `SELECT session_id FROM ${eventsTable} FINAL WHERE ${eventWhere}${filterSql(EVENT_COLUMNS)}`;
      const sessionSelect = [...key, ...dims(SESSION_COLUMNS, 'start_time'), ...sessionMetrics.map((m) => `${SESSIONS_METRICS[m]} AS ${metricColumn(m)}`)];
      const sessionSql = `SELECT ${sessionSelect.join(', ')} FROM ${sessionsTable} FINAL WHERE ${sessionWhere} AND session_id IN (${matching})${groupBy}`;
      const using = query.dimensions.length === 0 ? 'k' : query.dimensions.map((_, i) => dimensionColumn(i)).join(', ');
      const columns = [...query.dimensions.map((_, i) => dimensionColumn(i)), ...query.metrics.map(metricColumn)];
      inner = `SELECT ${columns.join(', ')} FROM (${eventSql}) AS e ANY LEFT JOIN (${sessionSql}) AS s USING (${using})`;
    }
  }

  const nameOf = (n: string) => ((statsMetrics as readonly string[]).includes(n) ? metricColumn(n as StatsMetric) : dimensionColumn(query.dimensions.indexOf(n as StatsDimension)));
  const orderBy: [string, 'asc' | 'desc'][] = query.orderBy ? [...query.orderBy] : [...(timeDim ? [[timeDim, 'asc'] as [string, 'asc']] : []), [query.metrics[0]!, 'desc']];
  const tieBreak = query.dimensions.filter((d) => !orderBy.some(([n]) => n === d)).map((d) => `${nameOf(d)} ASC`);
  const orderSql = [...orderBy.map(([n, dir]) => `${nameOf(n)} ${dir.toUpperCase()}`), ...tieBreak].join(', ');
  const columns = [...query.dimensions.map((_, i) => dimensionColumn(i)), ...query.metrics.map(metricColumn)];
  const text = `SELECT ${columns.join(', ')} FROM (${inner}) ORDER BY ${orderSql} LIMIT ${sql.int(query.pagination.offset)}, ${sql.int(query.pagination.limit)}`;
  const countText = query.include.totalRows ? `SELECT count() AS total_rows FROM (${inner})` : null;
  return {
    sql: text,
    inlineSql: sql.inline(text),
    countSql: countText,
    inlineCountSql: countText === null ? null : sql.inline(countText),
    params: sql.params,
    mode,
    range,
    dimensionColumns: query.dimensions.map((_, i) => dimensionColumn(i)),
    metricColumns: query.metrics.map(metricColumn),
    orderBy,
    timeBucket,
  };
}

// ---------------------------------------------------------------- response

export interface StatsResponse {
  results: { metrics: number[]; dimensions: string[] }[];
  meta: { time_labels?: string[]; total_rows?: number };
  query: {
    site_id: string;
    metrics: string[];
    date_range: [string, string];
    dimensions: string[];
    filters: unknown[];
    order_by: [string, 'asc' | 'desc'][];
    include: Record<string, boolean>;
    pagination: { limit: number; offset: number };
  };
}

function toNumber(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : 0;
}

/**
 * The API answer from ClickHouse rows (JSONEachRow objects keyed by the
 * plan's columns; 64-bit integers may arrive as strings). Metrics missing
 * from a joined row (no matching session) are 0.
 */
export function shapeStatsResponse(query: StatsQuery, plan: StatsPlan, rows: readonly Record<string, unknown>[], totalRows?: number): StatsResponse {
  const meta: StatsResponse['meta'] = {};
  if (query.include.timeLabels && plan.timeBucket) meta.time_labels = timeLabels(plan.range, plan.timeBucket);
  if (query.include.totalRows) meta.total_rows = totalRows ?? rows.length;
  const include: Record<string, boolean> = {};
  if (query.include.timeLabels) include.time_labels = true;
  if (query.include.totalRows) include.total_rows = true;
  if (query.include.imports) include.imports = true;
  return {
    results: rows.map((r) => ({ metrics: plan.metricColumns.map((c) => toNumber(r[c])), dimensions: plan.dimensionColumns.map((c) => String(r[c] ?? '')) })),
    meta,
    query: {
      site_id: query.siteId,
      metrics: [...query.metrics],
      date_range: plan.range.label,
      dimensions: [...query.dimensions],
      filters: query.rawFilters,
      order_by: plan.orderBy,
      include,
      pagination: { ...query.pagination },
    },
  };
}
