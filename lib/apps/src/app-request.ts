import type { Network, ScoreView } from '@vane/schemas';

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

/**
 * The score of one provider at the most specific location level that has one:
 * the scores.v1 fields a reader sees (ScoreView of @vane/schemas) — level and
 * locationKey it was found at, rttP50/rttP90 (ms), availability (0..1),
 * throughputP50 (kbit/s), each null when unmeasured, samples, confidence and
 * computedAt (event time, epoch ms).
 */
export type AppScore = ScoreView;

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
