import { queryParam } from './query-allow-list';
import type { SiteRules } from './site-rules';
import { isSiteHostname } from './site-rules';
import { clip, fieldLimits, type UtmTags } from './unified-event';

/**
 * Referrers and campaign tags.
 * - A referrer is kept as host + path, without scheme, "www.", query string
 *   or fragment (a referrer's query string can carry personal data too);
 *   Plausible's `visit:referrer` shows the same form.
 * - A referrer on the site's own hosts is internal navigation: no referrer.
 * - The source (`visit:source`) is utm_source, else source, else ref, else
 *   the referrer host; null means direct traffic.
 */
export interface ReferrerFacts {
  /** "host/path" form, null when none, unparsable or internal. */
  referrer: string | null;
  /** Referrer host without "www.", null when none. */
  host: string | null;
}

export function referrerFacts(raw: string | null | undefined, site: SiteRules): ReferrerFacts {
  if (!raw || raw === '-') return { referrer: null, host: null };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { referrer: null, host: null };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'android-app:') return { referrer: null, host: null };
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  if (host === '' || isSiteHostname(site, url.hostname)) return { referrer: null, host: null };
  const path = url.pathname === '/' ? '' : url.pathname;
  return { referrer: clip(`${host}${path}`, fieldLimits.referrer), host };
}

/** True when the referrer host is a listed spam host or a subdomain of one. */
export function isSpamReferrer(host: string | null, site: SiteRules): boolean {
  if (host === null) return false;
  return site.spamReferrers.some((spam) => host === spam || host.endsWith(`.${spam}`));
}

export function utmTags(query: string): UtmTags {
  const get = (name: string) => {
    const value = queryParam(query, name);
    return value === null ? null : clip(value, fieldLimits.attribute);
  };
  return { source: get('utm_source'), medium: get('utm_medium'), campaign: get('utm_campaign'), content: get('utm_content'), term: get('utm_term') };
}

export function visitSource(query: string, utm: UtmTags, referrerHost: string | null): string | null {
  const tagged = utm.source ?? queryParam(query, 'source') ?? queryParam(query, 'ref');
  if (tagged !== null) return clip(tagged, fieldLimits.attribute);
  return referrerHost;
}
