import { ProcessorRuntime, RuntimeGroup, clickhouseDigest, versionedRuntimeOptions, type ReplaySpec, type VersionedTopics } from '@vane/runtime';
import { DEADLETTERS_TABLE, deadlettersTable } from './deadletters-table';
import { deadlettersProcessor } from './processor';

/** The dead-letter loader owns no topic: a version is its consumer group and its `deadletters_<label>` table. */
export const deadlettersTopics: VersionedTopics = { versioned: [] };

const deadletterColumns = ['source_topic', 'source_partition', 'source_offset', 'processor', 'reason_code', 'message', 'at', 'source_time', 'key_base64', 'value_base64', 'value_bytes'];

/** `vane replay deadletters`: rebuilds the table deadletters from deadletter.v1. */
export const deadlettersReplay: ReplaySpec = {
  model: 'deadletters',
  description: 'ClickHouse deadletters (from deadletter.v1)',
  processors: [deadlettersProcessor],
  topics: deadlettersTopics,
  scyllaTables: [],
  clickhouseTables: [deadlettersTable],
  verify: [{ table: DEADLETTERS_TABLE, digest: (s, table) => clickhouseDigest(s.ch, s.database, table, deadletterColumns) }],
  pipeline: (base, version) => new RuntimeGroup([new ProcessorRuntime(deadlettersProcessor, versionedRuntimeOptions(base, deadlettersProcessor.name, version))]),
};
