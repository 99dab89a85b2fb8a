import { analyticsError } from './errors';

/**
 * What the analytics rules need to know about one site (from its
 * config.changes.v1 entity, plus defaults). One plain object per site; the
 * processor builds it when the site's configuration changes.
 */
export interface SiteRules {
  siteId: string;
  /** The site's domain: its hostname and every subdomain are its pages. */
  domain: string;
  /** Extra hostnames accepted exactly (e.g. "localhost", a staging host). */
  hostnames: readonly string[];
  /** Query parameters kept beside utm_*, ref and source (query-allow-list.ts). */
  queryParams: readonly string[];
  /** Referrer hosts counted as spam (a listed host matches itself and its subdomains), lower case. */
  spamReferrers: readonly string[];
  /** ASNs whose traffic is counted as bots (cloud and hosting networks). */
  datacenterAsns: readonly number[];
  /** Beacon event times later than receivedAt + this are taken as receivedAt (client clock skew), ms. */
  maxClockSkewMs: number;
  /** Beacon event times earlier than receivedAt − this are taken as receivedAt (queued beacons), ms. */
  maxBeaconDelayMs: number;
  /** Server-log lines older than receivedAt − this are dropped as time_out_of_range, ms. */
  maxLogAgeMs: number;
}

/**
 * A short default list of referrer-spam hosts (from the public-domain spammer
 * lists Matomo and Plausible use); sites add their own through `spamReferrers`.
 */
export const DEFAULT_SPAM_REFERRERS: readonly string[] = [
  'semalt.com',
  'buttons-for-website.com',
  'buttons-for-your-website.com',
  'darodar.com',
  'best-seo-offer.com',
  'free-social-buttons.com',
  'get-free-traffic-now.com',
  'hulfingtonpost.com',
  'priceg.com',
  'savetubevideo.com',
  'ilovevitaly.com',
  'o-o-6-o-o.com',
];

/**
 * Default ASNs of large cloud and hosting networks, whose addresses are
 * servers, not people: Amazon (16509, 14618), Google Cloud (396982),
 * Microsoft (8075), DigitalOcean (14061), OVH (16276), Hetzner (24940),
 * Linode/Akamai (63949), Vultr (20473), Alibaba (45102), Oracle (31898),
 * Scaleway (12876), Contabo (51167).
 */
export const DEFAULT_DATACENTER_ASNS: readonly number[] = [16509, 14618, 396982, 8075, 14061, 16276, 24940, 63949, 20473, 45102, 31898, 12876, 51167];

export const siteRuleDefaults = {
  hostnames: [] as readonly string[],
  queryParams: [] as readonly string[],
  spamReferrers: DEFAULT_SPAM_REFERRERS,
  datacenterAsns: DEFAULT_DATACENTER_ASNS,
  maxClockSkewMs: 60_000,
  maxBeaconDelayMs: 24 * 3_600_000,
  maxLogAgeMs: 31 * 24 * 3_600_000,
};

export type SiteRulesInput = Pick<SiteRules, 'siteId' | 'domain'> & Partial<Omit<SiteRules, 'siteId' | 'domain'>>;

/** Validates a site's rules and fills defaults; throws VANE_ERR_CONFIG naming the bad field. */
export function siteRules(input: SiteRulesInput): SiteRules {
  if (typeof input.siteId !== 'string' || input.siteId === '') throw analyticsError('VANE_ERR_CONFIG', 'site rules need a non-empty siteId');
  if (typeof input.domain !== 'string' || input.domain === '') throw analyticsError('VANE_ERR_CONFIG', `site ${input.siteId}: domain must be a non-empty string`);
  for (const name of ['maxClockSkewMs', 'maxBeaconDelayMs', 'maxLogAgeMs'] as const) {
    const value = input[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw analyticsError('VANE_ERR_CONFIG', `site ${input.siteId}: ${name} must be a non-negative number, got ${String(value)}`);
  }
  for (const asn of input.datacenterAsns ?? []) {
    if (!Number.isInteger(asn) || asn < 0) throw analyticsError('VANE_ERR_CONFIG', `site ${input.siteId}: datacenterAsns must hold non-negative integers, got ${String(asn)}`);
  }
  const lower = (values: readonly string[] | undefined, fallback: readonly string[]) => (values ?? fallback).map((v) => v.toLowerCase());
  return {
    siteId: input.siteId,
    domain: input.domain.toLowerCase(),
    hostnames: lower(input.hostnames, siteRuleDefaults.hostnames),
    queryParams: lower(input.queryParams, siteRuleDefaults.queryParams),
    spamReferrers: lower(input.spamReferrers, siteRuleDefaults.spamReferrers),
    datacenterAsns: input.datacenterAsns ?? siteRuleDefaults.datacenterAsns,
    maxClockSkewMs: input.maxClockSkewMs ?? siteRuleDefaults.maxClockSkewMs,
    maxBeaconDelayMs: input.maxBeaconDelayMs ?? siteRuleDefaults.maxBeaconDelayMs,
    maxLogAgeMs: input.maxLogAgeMs ?? siteRuleDefaults.maxLogAgeMs,
  };
}

/** True when `hostname` is the site's domain, one of its subdomains or one of its extra hostnames. */
export function isSiteHostname(site: SiteRules, hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === site.domain || host.endsWith(`.${site.domain}`) || site.hostnames.includes(host);
}
