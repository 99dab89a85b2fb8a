import type { FastifyRequest } from 'fastify';
import type { Network, UserAgent } from '@vane/schemas';
import type { ConfigState, KeyScope, Site, SiteKey } from '@vane/config-model';
import { truncateIp, type GeoLookup, type TruncatedIp } from '@vane/network';
import type { DailyUsage } from './daily-usage';
import type { RecordSink } from './durable-sink';
import type { IngestMetrics } from './metrics';
import type { IngestSettings } from './options';
import type { RecordEncoder } from './record-encoder';
import type { SessionTokens } from './session-token';
import { parseUserAgent } from './user-agent';
import type { VisitorHasher } from './visitor-id';

/** Where the gateway reads keys, sites and providers (a ConfigView, or a fixed state in tests). */
export interface ConfigSource {
  readonly state: ConfigState;
  /** False until the view has caught up with config.changes.v1: ingest calls answer 503 meanwhile. */
  readonly ready: boolean;
}

/** Everything the routes and plugins share, built once by build(). */
export interface IngestContext {
  settings: IngestSettings;
  config: ConfigSource;
  sink: RecordSink;
  encoder: RecordEncoder;
  geo: GeoLookup;
  visitors: VisitorHasher;
  tokens: SessionTokens;
  usage: DailyUsage;
  metrics: IngestMetrics;
  now: () => number;
}

/** The client as the gateway keeps it: truncated address, GeoIP facts, parsed agent. */
export interface ClientInfo {
  ip: TruncatedIp;
  network: Network;
  userAgent: UserAgent | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The key the request presented, once the site-key hook accepted it. */
    siteKey: SiteKey | null;
    site: Site | null;
    clientInfo: ClientInfo | null;
  }
  interface FastifyContextConfig {
    /** The key scope an ingest route requires; routes without one need no key. */
    scope?: KeyScope;
    /** Route name for metrics. */
    metricsName?: string;
  }
}

const UNKNOWN_IP: TruncatedIp = { cidr: '0.0.0.0/24', address: '0.0.0.0', family: 4 };

/**
 * The requesting client: the socket address (or X-Forwarded-For from a
 * trusted proxy, as resolved by Fastify's trustProxy) truncated first, then
 * located. The full address is not kept anywhere.
 */
export function clientOf(request: FastifyRequest, ctx: IngestContext): ClientInfo {
  if (request.clientInfo) return request.clientInfo;
  const ip = truncateIp(request.ip) ?? UNKNOWN_IP;
  const info: ClientInfo = { ip, network: ctx.geo.network(ip), userAgent: parseUserAgent(request.headers['user-agent']) };
  request.clientInfo = info;
  return info;
}
