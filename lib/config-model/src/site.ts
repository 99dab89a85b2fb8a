import { defineEntityType } from './entity-type';
import { isObject, num, str, strings } from './json-shape';
import { randomToken } from './secrets';

/**
 * "site" entities (entityId = siteId, e.g. "site_3kq9…"): a web site that
 * sends beacons, logs and RUM measurements to the ingest gateway.
 *
 *   SitePayload { siteId, domain, hostnames?: string[], providers?: string[], name?, createdAt }
 *
 * Beacons are accepted for `domain`, its subdomains and `hostnames` (exact).
 * `providers` lists the provider entity ids that the session plan of this
 * site's pages probes, in order.
 */
export const ENTITY_SITE = 'site';

export interface SitePayload {
  siteId: string;
  domain: string;
  /** Extra hostnames accepted exactly (e.g. "localhost", "127.0.0.1", a staging host). */
  hostnames?: string[];
  /** Provider entity ids the RUM tag of this site probes. */
  providers?: string[];
  name?: string;
  createdAt: number;
}

export interface Site extends SitePayload {
  tenantId: string;
  version: number;
}

/** A new site id: "site_" + 16 base62 characters. */
export function newSiteId(): string {
  return `site_${randomToken(16)}`;
}

/** A site payload, or null when the JSON does not have the site shape. */
export function parseSitePayload(payload: unknown): SitePayload | null {
  if (!isObject(payload)) return null;
  const siteId = str(payload.siteId);
  const domain = str(payload.domain);
  if (!siteId || !domain) return null;
  return {
    siteId,
    domain: domain.toLowerCase(),
    hostnames: strings(payload.hostnames)?.map((h) => h.toLowerCase()),
    providers: strings(payload.providers),
    name: str(payload.name),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export const siteEntity = defineEntityType<SitePayload, Site>({
  type: ENTITY_SITE,
  parse: parseSitePayload,
  hold: (site, meta) => ({ ...site, tenantId: meta.tenantId, version: meta.version }),
  key: (_site, meta) => meta.entityId,
});
