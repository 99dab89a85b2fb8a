import type { Beacon } from '@vane/schemas';
import { botVerdict, deviceType } from './bot-filter';
import { drop, type Conversion } from './drops';
import { allowListQuery } from './query-allow-list';
import { isSpamReferrer, referrerFacts, utmTags, visitSource } from './referrer';
import { isSiteHostname, type SiteRules } from './site-rules';
import { clip, clipOrNull, fieldLimits, vitalNames, type EventKind, type RecordOrigin, type UnifiedEvent, type VitalName, type VitalValue } from './unified-event';

/**
 * ingest.beacons.v1 record → unified event, or a named drop.
 *
 * Rules, in order (the first that applies decides):
 * 1. invalid: empty eventId/siteId/visitorId/hostname, a path not starting
 *    with "/", a receivedAt before 2000-01-01, an "event" without eventName,
 *    a "vital" without one known, finite, non-negative figure.
 * 2. unknown_site: `site` is undefined (the site is not configured, or gone)
 *    or its id differs from the record's.
 * 3. unknown_type: type is not pageview, event or vital.
 * 4. hostname_not_allowed: the page host is not one of the site's.
 * 5. bot_*: see bot-filter.ts.
 * 6. spam_referrer: the referrer host is on the site's spam list.
 * Event time: the client's eventTime when it lies within
 * [receivedAt − maxBeaconDelayMs, receivedAt + maxClockSkewMs], else receivedAt.
 * The URL's query string is reduced to the site's allow-list.
 */
export const MIN_TIMESTAMP = Date.UTC(2000, 0, 1);

const KINDS: readonly EventKind[] = ['pageview', 'event', 'vital'];

function validVitals(vitals: readonly { name: string; value: number }[]): VitalValue[] {
  const out: VitalValue[] = [];
  for (const v of vitals) {
    if ((vitalNames as readonly string[]).includes(v.name) && Number.isFinite(v.value) && v.value >= 0) out.push({ name: v.name as VitalName, value: v.value });
  }
  return out;
}

function queryOf(url: string): string {
  const hash = url.indexOf('#');
  const noHash = hash === -1 ? url : url.slice(0, hash);
  const q = noHash.indexOf('?');
  return q === -1 ? '' : noHash.slice(q + 1);
}

export function eventTimeOf(record: Pick<Beacon, 'eventTime' | 'receivedAt'>, site: Pick<SiteRules, 'maxBeaconDelayMs' | 'maxClockSkewMs'>): number {
  const t = record.eventTime;
  if (!Number.isFinite(t) || t > record.receivedAt + site.maxClockSkewMs || t < record.receivedAt - site.maxBeaconDelayMs) return record.receivedAt;
  return t;
}

export function fromBeacon(record: Beacon, origin: RecordOrigin, site: SiteRules | undefined): Conversion<UnifiedEvent> {
  const base = {
    source: 'browser' as const,
    siteId: record.siteId ?? '',
    eventId: record.eventId ?? '',
    timestamp: Number.isFinite(record.receivedAt) ? record.receivedAt : 0,
    origin,
  };
  const invalid = (detail: string) => drop('invalid', detail, base);
  if (!record.eventId) return invalid('eventId is empty');
  if (!record.siteId) return invalid('siteId is empty');
  if (!record.visitorId) return invalid('visitorId is empty');
  if (!Number.isFinite(record.receivedAt) || record.receivedAt < MIN_TIMESTAMP) return invalid(`receivedAt ${String(record.receivedAt)} is before 2000-01-01`);
  if (!record.hostname) return invalid('hostname is empty');
  if (typeof record.path !== 'string' || !record.path.startsWith('/')) return invalid(`path "${String(record.path)}" does not start with "/"`);
  const kind = KINDS.includes(record.type as EventKind) ? (record.type as EventKind) : null;
  if (kind === 'event' && !record.eventName) return invalid('an event beacon needs eventName');
  const vitals = kind === 'vital' ? validVitals(record.vitals ?? []) : [];
  if (kind === 'vital' && vitals.length === 0) return invalid('a vital beacon needs at least one known, finite, non-negative figure (LCP, INP, CLS, FCP, TTFB)');

  if (!site || site.siteId !== record.siteId) return drop('unknown_site', `site ${record.siteId} is not configured`, base);
  const timestamp = eventTimeOf(record, site);
  const at = { ...base, timestamp };
  if (kind === null) return drop('unknown_type', `beacon type "${record.type}" is not pageview, event or vital`, at);
  if (!isSiteHostname(site, record.hostname)) return drop('hostname_not_allowed', `${record.hostname} is not a hostname of ${site.domain}`, at);
  const bot = botVerdict(record.userAgent, record.network, site);
  if (bot) return drop(bot.reason, bot.detail, at);
  const ref = referrerFacts(record.referrer, site);
  if (isSpamReferrer(ref.host, site)) return drop('spam_referrer', `referrer host ${ref.host ?? ''} is on the spam list`, at);

  const query = clip(allowListQuery(queryOf(record.url), site.queryParams), fieldLimits.query);
  const utm = utmTags(query);
  const props: Record<string, string> = {};
  if (kind === 'event') {
    for (const [k, v] of Object.entries(record.eventProps ?? {})) props[clip(k, fieldLimits.propKey)] = clip(v, fieldLimits.propValue);
  }
  return {
    ok: true,
    event: {
      eventId: record.eventId.toLowerCase(),
      siteId: record.siteId,
      source: 'browser',
      kind,
      timestamp,
      receivedAt: record.receivedAt,
      visitorId: record.visitorId,
      previousVisitorId: record.previousVisitorId || null,
      hostname: clip(record.hostname.toLowerCase(), fieldLimits.hostname),
      path: clip(record.path, fieldLimits.path),
      query,
      referrer: ref.referrer,
      referrerSource: visitSource(query, utm, ref.host),
      utm,
      eventName: kind === 'event' ? clip(record.eventName!, fieldLimits.eventName) : null,
      eventProps: props,
      vitals,
      browser: clipOrNull(record.userAgent?.family, fieldLimits.attribute),
      os: clipOrNull(record.userAgent?.os, fieldLimits.attribute),
      device: deviceType(record.userAgent?.deviceClass),
      country: record.network.country || null,
      region: record.network.region || null,
      continent: record.network.continent || null,
      city: null,
      screenWidth: record.screenWidth ?? null,
      language: clipOrNull(record.language, 35),
      origin,
    },
  };
}
