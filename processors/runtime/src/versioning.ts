import type { Client as CqlClient } from 'cassandra-driver';
import { VaneError } from '@vane/core';
import type { TopicName } from '@vane/schemas';
import { physicalTopic, type TopicNaming } from '@vane/topics';
import type { RuntimeOptions } from './runtime';

/**
 * Model versions (operators replay topics to rebuild a model while the live
 * one serves: README "Replay"). A version is a label (`v1` is the original
 * one) that names a complete, independent copy of a processor's model:
 * - consumer groups `vane.<processor>` for v1, `vane.<processor>.<label>` otherwise;
 * - the topics the model owns (its `versioned` topics: partials,
 *   changelogs, outputs): plain for v1, `<label>.<topic>` otherwise — except
 *   that the SERVING version writes its `served` topics (those consumers
 *   outside the model follow, e.g. scores.v1) under their plain name;
 * - tables: plain for v1, `<table>_<label>` otherwise.
 * Every other topic (the model's input, deadletter.v1) is shared.
 * Which version serves is recorded per model in the Scylla table
 * `model_serving` (no row: v1); ClickHouse gets alias views `<table>_serving`.
 */
export const ORIGINAL_VERSION = 'v1';

/** The topics of a model that its versions own. */
export interface VersionedTopics {
  versioned: readonly TopicName[];
  /** Of the versioned topics, those the serving version writes under their plain name. */
  served?: readonly TopicName[];
}

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

export function versionNaming(label: string, naming: TopicNaming, servingLabel: string, topics: VersionedTopics): VersionNaming {
  checkLabel(label);
  const original = label === ORIGINAL_VERSION;
  const serving = label === servingLabel;
  return {
    label,
    serving,
    groupId: (processor) => `${naming.prefix}vane.${processor}${original ? '' : `.${label}`}`,
    topicName: (topic) => {
      if (original || !topics.versioned.includes(topic) || (serving && (topics.served ?? []).includes(topic))) return physicalTopic(topic, naming);
      return physicalTopic(`${label}.${topic}`, naming);
    },
    tableName: (table) => (original ? table : `${table}_${label}`),
  };
}

/** Runtime options of one processor of a version (its group, topics and tables); the base options without a version. */
export function versionedRuntimeOptions(base: RuntimeOptions, processor: string, version?: VersionNaming): RuntimeOptions {
  if (!version) return base;
  return { ...base, groupId: version.groupId(processor), topicName: (topic) => version.topicName(topic), tableName: (table) => version.tableName(table) };
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

/** Records `label` as the serving version of a model, and the one it replaces. */
export async function recordServingVersion(cql: CqlClient, keyspace: string, model: string, label: string, previous: string): Promise<void> {
  await ensureServingTable(cql, keyspace);
  await cql.execute(`INSERT INTO ${keyspace}.${SERVING_TABLE} (model, version, previous, promoted_at) VALUES (?, ?, ?, ?)`, [model, label, previous, new Date()], { prepare: true });
}
