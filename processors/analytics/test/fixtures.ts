import type { Beacon, ServerLogLine } from '@vane/schemas';
import { siteRules, type RecordOrigin, type SiteRules, type UnifiedEvent } from '../src';

export const T0 = Date.UTC(2026, 4, 12, 10, 0, 0);
export const MIN = 60_000;
export const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

export const site: SiteRules = siteRules({ siteId: 'site-1', domain: 'example.com', hostnames: ['localhost'], queryParams: ['lang'] });

let n = 0;
function uuid(): string {
  n++;
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function origin(offset = 1, topic = 'ingest.beacons.v1', partition = 0): RecordOrigin {
  return { topic, partition, offset: String(offset) };
}

export function beacon(over: Partial<Beacon> = {}): Beacon {
  return {
    eventId: uuid(),
    siteId: 'site-1',
    receivedAt: T0,
    eventTime: T0,
    type: 'pageview',
    url: 'https://www.example.com/pricing?utm_source=news&email=a%40b.c',
    path: '/pricing',
    hostname: 'www.example.com',
    referrer: 'https://www.google.com/search?q=secret',
    title: 'Pricing',
    eventName: null,
    eventProps: {},
    vitals: [],
    visitorId: 'v-aaa',
    previousVisitorId: null,
    sessionHint: null,
    userAgent: { raw: CHROME, family: 'Chrome', os: 'Linux', deviceClass: 'desktop' },
    network: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: 'DE-BE', asn: 3320, asnOrg: 'Deutsche Telekom AG' },
    screenWidth: 1440,
    language: 'de-DE',
    ...over,
  };
}

export function logLine(over: Partial<ServerLogLine> = {}): ServerLogLine {
  return {
    eventId: uuid(),
    siteId: 'site-1',
    receivedAt: T0 + 3_600_000,
    uploadId: 'upload-1',
    lineNumber: 1,
    format: 'nginx_combined',
    time: T0,
    method: 'GET',
    path: '/docs/start',
    query: 'ref=hn&token=s3cret',
    protocol: 'HTTP/1.1',
    status: 200,
    bytes: 5120,
    referrer: 'https://news.ycombinator.com/item?id=1',
    userAgent: { raw: CHROME, family: 'Chrome', os: 'Linux', deviceClass: 'desktop' },
    network: { truncatedIp: '198.51.100.0/24', country: 'FR', continent: 'EU', region: 'FR-IDF', asn: 3215, asnOrg: 'Orange' },
    visitorId: 'v-log',
    previousVisitorId: null,
    ...over,
  };
}

/** A unified event built directly (sessionizer and model tests). */
export function ev(over: Partial<UnifiedEvent> & { t?: number } = {}): UnifiedEvent {
  const { t, ...rest } = over;
  const timestamp = t ?? rest.timestamp ?? T0;
  return {
    eventId: uuid(),
    siteId: 'site-1',
    source: 'browser',
    kind: 'pageview',
    receivedAt: timestamp,
    visitorId: 'v-1',
    previousVisitorId: null,
    hostname: 'example.com',
    path: '/',
    query: '',
    referrer: null,
    referrerSource: null,
    utm: { source: null, medium: null, campaign: null, content: null, term: null },
    eventName: null,
    eventProps: {},
    vitals: [],
    browser: 'Chrome',
    os: 'Linux',
    device: 'Desktop',
    country: 'DE',
    region: 'DE-BE',
    continent: 'EU',
    city: null,
    screenWidth: null,
    language: null,
    origin: origin(),
    ...rest,
    timestamp,
  };
}
