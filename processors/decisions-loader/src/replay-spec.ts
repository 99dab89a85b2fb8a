import { ProcessorRuntime, RuntimeGroup, clickhouseDigest, versionedRuntimeOptions, type ReplaySpec, type VersionedTopics } from '@vane/runtime';
import { DECISIONS_TABLE, decisionsTable } from './decisions-table';
import { dnsDecisionsLoader, httpDecisionsLoader } from './processor';

/** The decision loaders own no topic: a version is its consumer groups and its `decisions_<label>` table. */
export const decisionsLoaderTopics: VersionedTopics = { versioned: [] };

/** Every column of a decision row (the Nullable score arrays as text, which cityHash64 accepts). */
const decisionColumns = [
  'decision_id', 'protocol', 'at', 'at_ms', 'tenant_id', 'app_id', 'app_version', 'hostname', 'qtype', 'path',
  'client_ip', 'country', 'continent', 'region', 'asn', 'asn_org', 'ecs_subnet', 'resolver_ip', 'resolver_country', 'resolver_asn',
  'scores_provider', 'scores_level', 'toString(scores_rtt_p50)', 'toString(scores_availability)',
  'answer_provider', 'answer_target', 'ttl', 'reason_code', 'fallback', 'redirect', 'duration_us', 'source_partition', 'source_offset',
];

/** `vane replay decisions-loader`: rebuilds the table decisions from decisions.dns.v1 and decisions.http.v1. */
export const decisionsLoaderReplay: ReplaySpec = {
  model: 'decisions-loader',
  description: 'ClickHouse decisions (from decisions.dns.v1 and decisions.http.v1)',
  processors: [dnsDecisionsLoader, httpDecisionsLoader],
  topics: decisionsLoaderTopics,
  scyllaTables: [],
  clickhouseTables: [decisionsTable],
  verify: [{ table: DECISIONS_TABLE, digest: (s, table) => clickhouseDigest(s.ch, s.database, table, decisionColumns) }],
  pipeline: (base, version) =>
    new RuntimeGroup([
      new ProcessorRuntime(dnsDecisionsLoader, versionedRuntimeOptions(base, dnsDecisionsLoader.name, version)),
      new ProcessorRuntime(httpDecisionsLoader, versionedRuntimeOptions(base, httpDecisionsLoader.name, version)),
    ]),
};
