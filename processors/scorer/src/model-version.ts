import type { Client as CqlClient } from 'cassandra-driver';
import { VaneError } from '@vane/core';
import type { TopicName } from '@vane/schemas';
import { physicalTopic, type TopicNaming } from '@vane/topics';

/**
 * Model versions of the scorer (operators replay topics to rebuild a model
 * while the live one serves: README "Replay"). A version is a label (`v1` is the original one) that
 * names a complete, independent copy of the model:
 * - consumer groups `vane.<processor>` for v1, `vane.<processor>.<label>` otherwise;
 * - the scorer's own topics (partials, changelogs) and its output scores.v1:
 *   plain for v1, `<label>.<topic>` otherwise — except that the SERVING
 *   version always publishes to the plain scores.v1 that resolvers follow;
 * - tables: plain for v1, `<table>_<label>` otherwise.
 * The input (ingest.measurements.v1) and deadletter.v1 are shared.
 * Which version serves is recorded in the Scylla table `model_serving`
 * (no row: v1); ClickHouse gets alias views `<table>_serving`.
 */
export const ORIGINAL_VERSION = 'v1';

/** Topics a scorer version owns (versioned), besides its shared input. */
export const versionedTopics: readonly TopicName[] = ['scorer.partials.v1', 'scorer.windows-changelog.v1', 'scorer.merge-changelog.v1', 'scores.v1'];

export interface VersionNaming {
  label: string;
  serving: boolean;
  groupId(processor: string): string;
  topicName(topic: TopicName): string;
  tableName(table: string): string;
}

export function checkLabel(label: string): string {
  if (!/^v[0-9a-z]{1,15}$/.test(label)) throw new VaneError('VANE_ERR_USAGE', `version label '${label}' must look like v2 (v, then up to 15 lower-case letters or digits)`);
  return label;
}

export function versionNaming(label: string, naming: TopicNaming, servingLabel: string): VersionNaming {
  checkLabel(label);
  const original = label === ORIGINAL_VERSION;
  const serving = label === servingLabel;
  return {
    label,
    serving,
    groupId: (processor) => `${naming.prefix}vane.${processor}${original ? '' : `.${label}`}`,
    topicName: (topic) => {
      if (original || !versionedTopics.includes(topic) || (serving && topic === 'scores.v1')) return physicalTopic(topic, naming);
      return physicalTopic(`${label}.${topic}`, naming);
    },
    tableName: (table) => (original ? table : `${table}_${label}`),
  };
}

export const SERVING_TABLE = 'model_serving';

export async function ensureServingTable(cql: CqlClient, keyspace: string): Promise<void> {
  await cql.execute(`CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await cql.execute(`CREATE TABLE IF NOT EXISTS ${keyspace}.${SERVING_TABLE} (model text PRIMARY KEY, version text, previous text, promoted_at timestamp)`);
}

/** The serving version label of a model (v1 when never promoted). */
export async function servingVersion(cql: CqlClient, keyspace: string, model: string): Promise<string> {
  await ensureServingTable(cql, keyspace);
  const result = await cql.execute(`SELECT version FROM ${keyspace}.${SERVING_TABLE} WHERE model = ?`, [model], { prepare: true });
  const version = result.rows[0]?.version as string | undefined;
  return version ?? ORIGINAL_VERSION;
}
