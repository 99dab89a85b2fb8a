import { defineEntityType } from './entity-type';
import { isObject, str, strings } from './json-shape';

/**
 * "provider" entities (entityId = provider id, e.g. "cdn-a"): a CDN or cloud
 * that apps choose between and the RUM tag measures.
 *
 *   ProviderPayload { providerId, name?, probes: [{ type: "rtt" | "availability" | "throughput", url }],
 *                     cname?, addresses?: string[], url?, public? }
 *
 * `probes` are what the RUM tag fetches to measure the provider; `cname`,
 * `addresses` and `url` are its default answers. Provider ids are global
 * (they key scores.v1); a provider belongs to the tenant that created it.
 * `public` providers (set by operators) may be used by every tenant's sites
 * and apps but changed by their owner only.
 */
export const ENTITY_PROVIDER = 'provider';

export const probeTypes = ['rtt', 'availability', 'throughput'] as const;
export type ProbeType = (typeof probeTypes)[number];

export interface ProbeTarget {
  type: ProbeType;
  url: string;
}

export interface ProviderPayload {
  providerId: string;
  name?: string;
  probes: ProbeTarget[];
  /** Default CNAME target of the provider (e.g. "acme.cdn-a.net"); apps may override it. */
  cname?: string;
  /** Default addresses (IPv4 and/or IPv6) answered for the provider. */
  addresses?: string[];
  /** Default base URL for HTTP redirects (e.g. "https://acme.cdn-a.net"). */
  url?: string;
  /** Usable by every tenant (operators only). */
  public?: boolean;
}

export interface Provider extends ProviderPayload {
  tenantId: string;
  version: number;
}

export function parseProviderPayload(payload: unknown): ProviderPayload | null {
  if (!isObject(payload)) return null;
  const providerId = str(payload.providerId);
  if (!providerId || !Array.isArray(payload.probes)) return null;
  const probes: ProbeTarget[] = [];
  for (const p of payload.probes) {
    if (!isObject(p)) continue;
    const type = str(p.type);
    const url = str(p.url);
    if (type && url && (probeTypes as readonly string[]).includes(type)) probes.push({ type: type as ProbeType, url });
  }
  const provider: ProviderPayload = { providerId, name: str(payload.name), probes };
  const cname = str(payload.cname);
  const addresses = strings(payload.addresses);
  const url = str(payload.url);
  if (cname) provider.cname = cname.toLowerCase();
  if (addresses) provider.addresses = addresses;
  if (url) provider.url = url;
  if (payload.public === true) provider.public = true;
  return provider;
}

export const providerEntity = defineEntityType<ProviderPayload, Provider>({
  type: ENTITY_PROVIDER,
  parse: parseProviderPayload,
  hold: (provider, meta) => ({ ...provider, tenantId: meta.tenantId, version: meta.version }),
  key: (_provider, meta) => meta.entityId,
});
