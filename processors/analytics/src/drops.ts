import type { EventSource, RecordOrigin } from './unified-event';

/**
 * Why a record did not become (or count as) an analytics event. Every record
 * the analytics processor reads either becomes a unified event or one drop
 * with one of these reasons: nothing is lost silently. Drops are counted per
 * site, minute, source and reason (`DropCounts`, the site model and the
 * ClickHouse `drop_counts_minute` table) and listed one row per record in
 * ClickHouse `dropped_events`.
 *
 * | reason                | source    | meaning |
 * |-----------------------|-----------|---------|
 * | invalid               | both      | a field is missing or ill-formed (detail names it) — also dead-lettered |
 * | unknown_site          | both      | the site id is not (or no longer) a configured site |
 * | unknown_type          | browser   | beacon type is not pageview/event/vital |
 * | time_out_of_range     | both      | event time before 2000 or beyond the skew allowed after receipt |
 * | hostname_not_allowed  | both      | page host is not the site's domain, a subdomain, or a listed hostname |
 * | bot_user_agent        | both      | isbot matched the user agent (detail: the matched part) |
 * | bot_no_user_agent     | both      | no User-Agent at all (real browsers always send one) |
 * | bot_device_class      | both      | the gateway's parser classed the agent as a bot |
 * | bot_datacenter        | both      | the client network's ASN is on the site's datacenter list |
 * | spam_referrer         | both      | the referrer host is on the spam list (or a subdomain of one) |
 * | static_asset          | serverlog | the path has a static-asset extension (.css, .js, .png, …) |
 * | non_2xx_status        | serverlog | the status was not 2xx nor 304 (a cached page is a view; detail: the status) |
 * | non_page_method       | serverlog | the method was not GET (HEAD, POST, … are not pageviews) |
 * | crawler_path          | serverlog | robots.txt, sitemaps, /.well-known/, favicon… requested |
 * | duplicate             | both      | an event id already counted for this visitor (a retried send) |
 * | late                  | both      | older than the visitor's retained sessions (sessionizer.ts) |
 */
export const dropReasons = [
  'invalid',
  'unknown_site',
  'unknown_type',
  'time_out_of_range',
  'hostname_not_allowed',
  'bot_user_agent',
  'bot_no_user_agent',
  'bot_device_class',
  'bot_datacenter',
  'spam_referrer',
  'static_asset',
  'non_2xx_status',
  'non_page_method',
  'crawler_path',
  'duplicate',
  'late',
] as const;
export type DropReason = (typeof dropReasons)[number];

export function isDropReason(value: string): value is DropReason {
  return (dropReasons as readonly string[]).includes(value);
}

/** Reasons that mean "the record is broken", which also belong in the dead-letter ledger. */
export function isDeadLetterReason(reason: DropReason): boolean {
  return reason === 'invalid';
}

/** One record that did not become an event. */
export interface Drop {
  reason: DropReason;
  /** Human-readable specifics (field name, matched bot pattern, status…), at most 256 characters. */
  detail: string;
  source: EventSource;
  /** Site id from the record ("" when the record had none). */
  siteId: string;
  /** Event time when the record had a usable one, else its receive time (UTC ms); used for counting per minute. */
  timestamp: number;
  /** Event id from the record ("" when it had none). */
  eventId: string;
  origin: RecordOrigin;
}

export type Conversion<T> = { ok: true; event: T } | { ok: false; drop: Drop };

export function drop(reason: DropReason, detail: string, fields: Omit<Drop, 'reason' | 'detail'>): { ok: false; drop: Drop } {
  return { ok: false, drop: { reason, detail: detail.length > 256 ? detail.slice(0, 256) : detail, ...fields } };
}

/** Drop counts by source and reason (absent = 0). Plain, serialisable, mergeable by addition. */
export type DropCounts = Partial<Record<`${EventSource}:${DropReason}`, number>>;

export function countDrop(counts: DropCounts, source: EventSource, reason: DropReason, n = 1): void {
  const key = `${source}:${reason}` as const;
  counts[key] = (counts[key] ?? 0) + n;
}

export function mergeDropCounts(into: DropCounts, from: DropCounts): DropCounts {
  for (const [key, n] of Object.entries(from) as [keyof DropCounts, number][]) into[key] = (into[key] ?? 0) + n;
  return into;
}

/** Rows of counts, sorted by source then reason (stable output for tables and JSON). */
export function dropCountRows(counts: DropCounts): { source: EventSource; reason: DropReason; count: number }[] {
  return (Object.entries(counts) as [string, number][])
    .filter(([, n]) => n > 0)
    .map(([key, count]) => {
      const [source, reason] = key.split(':') as [EventSource, DropReason];
      return { source, reason, count };
    })
    .sort((a, b) => (a.source === b.source ? dropReasons.indexOf(a.reason) - dropReasons.indexOf(b.reason) : a.source < b.source ? -1 : 1));
}
