/**
 * The unified analytics event: what a browser beacon (ingest.beacons.v1) and
 * a server access-log line (ingest.serverlogs.v1) both become after
 * validation and filtering (from-beacon.ts, from-server-log.ts). Everything
 * downstream — sessionizer, site model, ClickHouse `events` rows — reads
 * only this type, so the two sources are counted by the same rules.
 *
 * Contract:
 * - `timestamp` is the event time the model uses (UTC ms): for beacons the
 *   client's eventTime unless it is implausible (see from-beacon.ts), for
 *   log lines the time written in the line. `receivedAt` is the gateway's
 *   clock when it accepted the record: the arrival clock the sessionizer uses
 *   to expire idle state, deterministic on replay because it is in the record.
 * - `query` is already reduced to the allow-list (query-allow-list.ts): no
 *   other query parameter ever reaches a model or a table.
 * - `origin` names the Kafka record the event came from; ClickHouse rows are
 *   keyed by it, so a replayed offset collapses into the same row.
 * - Every string field is trimmed to the limits in `fieldLimits`.
 */
export type EventSource = 'browser' | 'serverlog';

/** pageview: a page was seen; event: a custom event (eventName); vital: web-vitals figures of a page. */
export type EventKind = 'pageview' | 'event' | 'vital';

export const vitalNames = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;
export type VitalName = (typeof vitalNames)[number];

export interface VitalValue {
  name: VitalName;
  /** Milliseconds for LCP, INP, FCP, TTFB; unitless score for CLS. Finite and >= 0. */
  value: number;
}

/** Device class as Plausible's `visit:device` names them. */
export type DeviceType = 'Desktop' | 'Mobile' | 'Tablet' | 'TV' | 'Other';

/** Where a Kafka record sits: the idempotency key of every row derived from it. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** Campaign parameters of the page URL (utm_*), raw values; null when absent. */
export interface UtmTags {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
}

export interface UnifiedEvent {
  /** Id of the record (UUID); duplicates carry the same id (sessionizer.ts drops them). */
  eventId: string;
  siteId: string;
  source: EventSource;
  kind: EventKind;
  /** Event time, UTC epoch ms. */
  timestamp: number;
  /** Gateway receive time, UTC epoch ms. */
  receivedAt: number;
  visitorId: string;
  /** The visitor's id under the previous day's salt (first 30 minutes of a UTC day only). */
  previousVisitorId: string | null;
  hostname: string;
  /** URL path, starting with "/". */
  path: string;
  /** Allow-listed query string without "?", "" when none is kept. */
  query: string;
  /** Referrer URL as sent (beacons: document.referrer; logs: Referer header); null when none. */
  referrer: string | null;
  /**
   * Where the visit came from (Plausible's `visit:source`): utm_source, else source, else ref,
   * else the referrer's host without "www."; null for direct traffic and internal referrers.
   */
  referrerSource: string | null;
  utm: UtmTags;
  /** Custom event name (kind "event"), else null. */
  eventName: string | null;
  eventProps: Record<string, string>;
  /** Web-vitals figures (kind "vital"), else empty. */
  vitals: VitalValue[];
  browser: string | null;
  os: string | null;
  device: DeviceType | null;
  country: string | null;
  region: string | null;
  continent: string | null;
  /** City (GeoName id as text); null until the ingest Network record carries one (see SCHEMA-PROPOSAL.md). */
  city: string | null;
  screenWidth: number | null;
  language: string | null;
  origin: RecordOrigin;
}

/** Longest kept value of each free-text field; longer values are cut (never rejected). */
export const fieldLimits = {
  path: 2048,
  query: 2048,
  referrer: 2048,
  hostname: 253,
  eventName: 128,
  propKey: 64,
  propValue: 512,
  attribute: 256,
} as const;

export function clip(value: string, limit: number): string {
  return value.length > limit ? value.slice(0, limit) : value;
}

export function clipOrNull(value: string | null | undefined, limit: number): string | null {
  if (value === null || value === undefined || value === '') return null;
  return clip(value, limit);
}
