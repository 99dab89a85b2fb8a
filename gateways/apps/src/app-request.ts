import type { Network } from '@vane/schemas';

/**
 * The app API: what a routing app's `onRequest(request, response)` receives.
 * Everything is plain, frozen data copied into the app's isolate; nothing in
 * it reaches back to the host.
 */

/** Where a client or resolver sits, as GeoIP saw its truncated address. */
export interface AppNetwork {
  /** Truncated address in CIDR notation ("203.0.113.0/24", "2001:db8:1::/48"). */
  ip: string;
  /** ISO 3166-1 alpha-2, upper case, or null. */
  country: string | null;
  /** "AF" "AN" "AS" "EU" "NA" "OC" "SA", or null. */
  continent: string | null;
  /** ISO 3166-2 with country prefix ("DE-BE"), or null. */
  region: string | null;
  asn: number | null;
  asnOrg: string | null;
}

/** The score of one provider at the most specific location level that has one (scores.v1). */
export interface AppScore {
  /** "asn", "country", "continent" or "global": the level the score was found at. */
  level: string;
  /** The scores.v1 location key used, e.g. "country:DE". */
  locationKey: string;
  /** Round-trip time percentiles, ms (null when the window had no rtt probe). */
  rttP50: number | null;
  rttP90: number | null;
  /** Share of successful probes, 0..1 (null when unmeasured). */
  availability: number | null;
  /** Median throughput, kbit/s (null when unmeasured). */
  throughputP50: number | null;
  samples: number;
  confidence: number;
  /** Event time the score was computed at, epoch ms. */
  computedAt: number;
}

/** One of the app's providers, as the app version binds it. */
export interface AppProvider {
  id: string;
  name: string | null;
  /** Default CNAME target answered for this provider, or null. */
  cname: string | null;
  /** Default addresses answered for this provider (IPv4 and IPv6). */
  addresses: string[];
  /** Default base URL for HTTP answers, or null. */
  url: string | null;
}

export interface AppEcs {
  /** The client subnet as the gateway used it (truncated to at most /24 or /48). */
  subnet: string;
  /** SOURCE PREFIX-LENGTH the resolver sent. */
  sourcePrefix: number;
}

export interface AppRequest {
  protocol: 'dns' | 'http';
  /** Name asked for, lower case, no trailing dot. */
  hostname: string;
  /** DNS: "A", "AAAA", "CNAME", "ANY"…; HTTP: null. */
  qtype: string | null;
  /** HTTP: the path to send the client to ("/video/1.mp4"); DNS: null. */
  path: string | null;
  /** The network decided for: the ECS subnet's, else the resolver's (DNS), else the HTTP client's. */
  client: AppNetwork;
  /** DNS: the resolver that asked; HTTP: null. */
  resolver: AppNetwork | null;
  /** DNS: the EDNS Client Subnet when the query had one. */
  ecs: AppEcs | null;
  /** The scores.v1 location keys looked up, most specific first. */
  locationKeys: string[];
  /** Scores of the app's providers that have one at some level, by provider id. */
  scores: Record<string, AppScore>;
  /** Epoch ms when the gateway received the request. */
  now: number;
  /** The app version running. */
  app: { id: string; version: number };
}

/** The parts of a request that stay the same between requests of one app version (sent into the isolate once). */
export interface AppStatics {
  providers: AppProvider[];
  settings: unknown;
  /** Custom data sets by name (their current versions). */
  data: Record<string, unknown>;
}

/** What the app's response object recorded, as it leaves the isolate. */
export interface AppAnswer {
  answered: boolean;
  provider?: string;
  target?: string | string[];
  ttl?: number;
  reason?: string;
  ranking?: string[];
}

/** The scores.v1 location keys of a network, most specific first (as the scorer writes them). */
export function locationKeysOf(network: Pick<Network, 'country' | 'continent' | 'asn'>): string[] {
  const keys: string[] = [];
  if (network.country && network.asn !== null) keys.push(`asn:${network.country}:${network.asn}`);
  if (network.country) keys.push(`country:${network.country}`);
  if (network.continent) keys.push(`continent:${network.continent}`);
  keys.push('global');
  return keys;
}

/** The app's view of a Network record (topic shape → app shape). */
export function appNetwork(network: Network): AppNetwork {
  return {
    ip: network.truncatedIp,
    country: network.country,
    continent: network.continent,
    region: network.region,
    asn: network.asn,
    asnOrg: network.asnOrg,
  };
}
