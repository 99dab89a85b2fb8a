/**
 * Everything `vane run <component>` can start. Each module exports
 * `main(env): Promise<void>` that runs the component in the foreground until
 * SIGINT/SIGTERM. Issues that add a gateway or processor register it here.
 */
export interface Component {
  kind: 'processor' | 'gateway' | 'simulator';
  description: string;
  /** The resolved file of the component's `./main` export (resolved here, loaded by `vane run`). */
  module: string;
  /** Started by `npm start`. */
  platform: boolean;
  /** Where a gateway listens (shown by `npm start`). */
  url?: string;
}

export const components: Record<string, Component> = {
  deadletters: {
    kind: 'processor',
    description: 'loads deadletter.v1 into the ClickHouse table deadletters, for operators',
    module: require.resolve('@vane/deadletters/main'),
    platform: true,
  },
  geo: {
    kind: 'processor',
    description: 'Glow: ingest.downloads.v1 into the ClickHouse table downloads (per-minute geo buckets not wired yet)',
    module: require.resolve('@vane/geo/main'),
    platform: true,
  },
  ingest: {
    kind: 'gateway',
    description: 'ingest gateway: beacons, access logs, RUM measurements, downloads (HTTP, VANE_INGEST_PORT)',
    module: require.resolve('@vane/ingest/main'),
    platform: true,
    url: 'http://127.0.0.1:7070 (POST /api/v1/beacon, /vane.js, /healthz, /metrics)',
  },
  scorer: {
    kind: 'processor',
    description: 'folds ingest.measurements.v1 into provider scores per location: scores.v1 and Scylla scores; ClickHouse measurements and scores_history',
    module: require.resolve('@vane/scorer/main'),
    platform: true,
  },
  snapshots: {
    kind: 'gateway',
    description: 'score snapshots and live deltas for resolvers (HTTP, VANE_SNAPSHOTS_PORT)',
    module: require.resolve('@vane/snapshots/main'),
    platform: true,
    url: 'http://127.0.0.1:7075 (GET /v1/snapshots/scores, /v1/snapshots/scores/deltas?since=, /healthz)',
  },
  config: {
    kind: 'gateway',
    description: 'config service: tenants, keys, sites, providers, routing apps (versions, tests, publish, rollback), custom data on config.changes.v1 (HTTP, VANE_CONFIG_PORT)',
    module: require.resolve('@vane/config/main'),
    platform: true,
    url: 'http://127.0.0.1:7071 (/v1/tenants, /v1/apps, /v1/providers, /v1/data, /healthz; `vane apps --help`)',
  },
  dns: {
    kind: 'gateway',
    description: 'DNS decision gateway: authoritative for the zones of routing apps, answers chosen by the apps (UDP+TCP, VANE_DNS_PORT)',
    module: require.resolve('@vane/dns/main'),
    platform: true,
    url: 'dns://127.0.0.1:8053 (dig -p 8053 @127.0.0.1 <name>)',
  },
  decide: {
    kind: 'gateway',
    description: 'HTTP decision gateway: routing apps for HTTP clients, JSON answer or redirect (HTTP, VANE_DECIDE_PORT)',
    module: require.resolve('@vane/decide/main'),
    platform: true,
    url: 'http://127.0.0.1:7072 (GET /v1/decide/<app>, /v1/redirect/<app>/<path>, /healthz)',
  },
  realtime: {
    kind: 'gateway',
    description: 'realtime gateway: Plausible-compatible Stats API over ClickHouse, websocket stream of models.sites.v1 per site (read key) (HTTP, VANE_REALTIME_PORT)',
    module: require.resolve('@vane/realtime/main'),
    platform: true,
    url: 'http://127.0.0.1:7073/ (POST /api/v2/query, websocket /ws, /healthz)',
  },
  'decisions-loader': {
    kind: 'processor',
    description: 'loads decisions.dns.v1 and decisions.http.v1 into the ClickHouse table decisions, for analysts',
    module: require.resolve('@vane/decisions-loader/main'),
    platform: true,
  },
  simulator: {
    kind: 'simulator',
    description: 'built-in traffic: browsers of a demo site sending pageviews, web vitals and RUM measurements to the ingest gateway',
    module: require.resolve('@vane/simulator/main'),
    platform: true,
  },
};
