import type { ServerLogLine } from '@vane/schemas';
import { botVerdict, deviceType } from './bot-filter';
import { drop, type Conversion } from './drops';
import { MIN_TIMESTAMP } from './from-beacon';
import { allowListQuery } from './query-allow-list';
import { isSpamReferrer, referrerFacts, utmTags, visitSource } from './referrer';
import type { SiteRules } from './site-rules';
import { clip, clipOrNull, fieldLimits, type RecordOrigin, type UnifiedEvent } from './unified-event';

/**
 * ingest.serverlogs.v1 record → unified pageview, or a named drop (Matomo's
 * log-analytics defaults: static assets, errors, redirects and bots are
 * skipped but counted).
 *
 * Rules, in order:
 * 1. invalid: empty eventId/siteId/visitorId, a path not starting with "/",
 *    a receivedAt or time before 2000-01-01.
 * 2. unknown_site.
 * 3. time_out_of_range: time after receivedAt + maxClockSkewMs or before
 *    receivedAt − maxLogAgeMs.
 * 4. non_page_method: not GET.
 * 5. non_2xx_status: status outside 200–299, except 304 (a revalidated
 *    cached page is still a view).
 * 6. crawler_path: robots.txt, sitemaps, /.well-known/, favicons, ads.txt…
 * 7. static_asset: an extension in `STATIC_EXTENSIONS`.
 * 8. bot_*: see bot-filter.ts; a missing agent only counts for formats that
 *    carry one (not "apache_common").
 * 9. spam_referrer.
 * The page host is the site's domain (access logs do not say which virtual
 * host answered; one upload is one site).
 */
export const STATIC_EXTENSIONS: readonly string[] = [
  'css', 'js', 'mjs', 'map', 'json', 'xml', 'txt', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'tif', 'tiff',
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'webm', 'ogg', 'wav', 'flac', 'm4a', 'mov', 'avi', 'pdf', 'zip', 'gz', 'tgz',
  'bz2', 'xz', '7z', 'rar', 'tar', 'exe', 'dmg', 'msi', 'deb', 'rpm', 'apk', 'iso', 'wasm', 'csv', 'swf', 'rss', 'atom',
];
const STATIC = new Set(STATIC_EXTENSIONS);

const CRAWLER_PATHS = new Set(['/robots.txt', '/sitemap.xml', '/sitemap_index.xml', '/ads.txt', '/app-ads.txt', '/humans.txt', '/security.txt', '/favicon.ico', '/apple-touch-icon.png', '/apple-touch-icon-precomposed.png', '/browserconfig.xml', '/crossdomain.xml']);

export function isCrawlerPath(path: string): boolean {
  const lower = path.toLowerCase();
  return CRAWLER_PATHS.has(lower) || lower.startsWith('/.well-known/') || /^\/sitemap[^/]*\.xml(\.gz)?$/.test(lower);
}

/** The path's extension (lower case, without "."), or null when the last segment has none. */
export function pathExtension(path: string): string | null {
  const segment = path.slice(path.lastIndexOf('/') + 1);
  const dot = segment.lastIndexOf('.');
  return dot <= 0 || dot === segment.length - 1 ? null : segment.slice(dot + 1).toLowerCase();
}

export function isStaticAsset(path: string): boolean {
  const ext = pathExtension(path);
  return ext !== null && STATIC.has(ext);
}

const FORMATS_WITH_AGENT = new Set(['nginx_combined', 'apache_combined']);

export function fromServerLog(record: ServerLogLine, origin: RecordOrigin, site: SiteRules | undefined): Conversion<UnifiedEvent> {
  const timeOk = Number.isFinite(record.time) && record.time >= MIN_TIMESTAMP;
  const base = {
    source: 'serverlog' as const,
    siteId: record.siteId ?? '',
    eventId: record.eventId ?? '',
    timestamp: timeOk ? record.time : Number.isFinite(record.receivedAt) ? record.receivedAt : 0,
    origin,
  };
  const invalid = (detail: string) => drop('invalid', detail, base);
  if (!record.eventId) return invalid('eventId is empty');
  if (!record.siteId) return invalid('siteId is empty');
  if (!record.visitorId) return invalid('visitorId is empty');
  if (!Number.isFinite(record.receivedAt) || record.receivedAt < MIN_TIMESTAMP) return invalid(`receivedAt ${String(record.receivedAt)} is before 2000-01-01`);
  if (!timeOk) return invalid(`time ${String(record.time)} is before 2000-01-01`);
  if (typeof record.path !== 'string' || !record.path.startsWith('/')) return invalid(`path "${String(record.path)}" does not start with "/"`);

  if (!site || site.siteId !== record.siteId) return drop('unknown_site', `site ${record.siteId} is not configured`, base);
  if (record.time > record.receivedAt + site.maxClockSkewMs) return drop('time_out_of_range', `time ${new Date(record.time).toISOString()} is after the upload`, base);
  if (record.time < record.receivedAt - site.maxLogAgeMs) return drop('time_out_of_range', `time ${new Date(record.time).toISOString()} is older than ${Math.round(site.maxLogAgeMs / 86_400_000)} days`, base);
  if (record.method !== 'GET') return drop('non_page_method', `method ${record.method}`, base);
  if ((record.status < 200 || record.status > 299) && record.status !== 304) return drop('non_2xx_status', `status ${record.status}`, base);
  if (isCrawlerPath(record.path)) return drop('crawler_path', record.path, base);
  if (isStaticAsset(record.path)) return drop('static_asset', `.${pathExtension(record.path)!}`, base);
  const bot = botVerdict(record.userAgent, record.network, site, FORMATS_WITH_AGENT.has(record.format));
  if (bot) return drop(bot.reason, bot.detail, base);
  const ref = referrerFacts(record.referrer, site);
  if (isSpamReferrer(ref.host, site)) return drop('spam_referrer', `referrer host ${ref.host ?? ''} is on the spam list`, base);

  const query = clip(allowListQuery(record.query, site.queryParams), fieldLimits.query);
  const utm = utmTags(query);
  return {
    ok: true,
    event: {
      eventId: record.eventId.toLowerCase(),
      siteId: record.siteId,
      source: 'serverlog',
      kind: 'pageview',
      timestamp: record.time,
      receivedAt: record.receivedAt,
      visitorId: record.visitorId,
      previousVisitorId: record.previousVisitorId || null,
      hostname: site.domain,
      path: clip(record.path, fieldLimits.path),
      query,
      referrer: ref.referrer,
      referrerSource: visitSource(query, utm, ref.host),
      utm,
      eventName: null,
      eventProps: {},
      vitals: [],
      browser: clipOrNull(record.userAgent?.family, fieldLimits.attribute),
      os: clipOrNull(record.userAgent?.os, fieldLimits.attribute),
      device: deviceType(record.userAgent?.deviceClass),
      country: record.network.country || null,
      region: record.network.region || null,
      continent: record.network.continent || null,
      city: null,
      screenWidth: null,
      language: null,
      origin,
    },
  };
}
