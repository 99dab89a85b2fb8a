import { connectionsFromEnv, readEnv, type Env } from '@vane/core';
import type { TopicName } from '@vane/schemas';
import { namingFromEnv } from '@vane/topics';
import type { ProcessorManifest } from './manifest';
import { ProcessorRuntime, type RuntimeOptions } from './runtime';
import { createScyllaClient } from './sinks/scylla';
import { ORIGINAL_VERSION, servingVersion, versionNaming, versionedRuntimeOptions, type VersionNaming, type VersionedTopics } from './versioning';

/** Runtime options from the environment (the one place a processor reads process.env). */
export function runtimeOptionsFromEnv(env: Env, processorOptions: Record<string, unknown> = {}): RuntimeOptions {
  const read = readEnv(env);
  return {
    connections: connectionsFromEnv(env),
    naming: namingFromEnv(env),
    processorOptions,
    groupId: read.string('VANE_GROUP_ID'),
    maxBatchRecords: read.int('VANE_MAX_BATCH_RECORDS', { min: 1 }),
    partitionsConcurrently: read.int('VANE_PARTITIONS_CONCURRENTLY', { min: 1 }),
    sessionTimeoutMs: read.int('VANE_SESSION_TIMEOUT_MS', { min: 1 }),
    metricsPort: read.port('VANE_METRICS_PORT'),
  };
}

/** VANE_STATUS_INTERVAL_MS: how often a running processor logs its status line (default one a minute). */
export function statusIntervalFromEnv(env: Env, fallback = 60_000): number {
  return readEnv(env).int('VANE_STATUS_INTERVAL_MS', { default: fallback, min: 1 });
}

/** A replayable model a processor belongs to: `vane run` runs its serving version (see versioning.ts). */
export interface ServedModel {
  model: string;
  topics: VersionedTopics;
}

/** The serving version of a model, from Scylla `model_serving`. */
export async function servedVersion(options: Pick<RuntimeOptions, 'connections' | 'naming'>, served: ServedModel): Promise<VersionNaming> {
  const cql = createScyllaClient(options.connections);
  try {
    const serving = await servingVersion(cql, options.connections.scyllaKeyspace, served.model);
    return versionNaming(serving, options.naming, serving, served.topics);
  } finally {
    await cql.shutdown();
  }
}

/**
 * Runs a processor in the foreground: starts it, prints one status line a
 * minute (and one at start), stops cleanly on SIGINT/SIGTERM after the unit
 * of work in progress. A processor of a `served` model runs the serving
 * version's group, topics and tables (once one other than v1 was promoted).
 * The environment is read in full before anything connects.
 */
export async function runProcessor<In extends TopicName, O, S = never>(
  manifest: ProcessorManifest<In, O, S>,
  env: Env,
  processorOptions: Record<string, unknown> = {},
  served?: ServedModel,
): Promise<void> {
  const base = runtimeOptionsFromEnv(env, processorOptions);
  const interval = statusIntervalFromEnv(env);
  const version = served ? await servedVersion(base, served) : undefined;
  const runtime = new ProcessorRuntime(manifest, version && version.label !== ORIGINAL_VERSION ? versionedRuntimeOptions(base, manifest.name, version) : base);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= runtime.stop());
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      log(`${manifest.name}: ${signal}, finishing the unit of work in progress`);
      void stop().then(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    await runtime.start();
  } catch (error) {
    await stop();
    throw error;
  }
  log(`${manifest.name}: consuming ${manifest.input} as group ${runtime.groupId}`);
  const timer = setInterval(() => log(`${manifest.name}: ${JSON.stringify(runtime.metrics.snapshot())}`), interval);
  timer.unref();
  await stopped;
  clearInterval(timer);
  log(`${manifest.name}: stopped ${JSON.stringify(runtime.metrics.snapshot())}`);
}

