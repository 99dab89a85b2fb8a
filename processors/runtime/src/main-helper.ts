import { connectionsFromEnv, portFromEnv } from '@vane/core';
import type { TopicName } from '@vane/schemas';
import { namingFromEnv } from '@vane/topics';
import type { ProcessorManifest } from './manifest';
import { ProcessorRuntime, type RuntimeOptions } from './runtime';

type Env = Record<string, string | undefined>;

/** Runtime options from the environment (the one place a processor reads process.env). */
export function runtimeOptionsFromEnv(env: Env, processorOptions: Record<string, unknown> = {}): RuntimeOptions {
  return {
    connections: connectionsFromEnv(env),
    naming: namingFromEnv(env),
    processorOptions,
    groupId: env.VANE_GROUP_ID || undefined,
    maxBatchRecords: env.VANE_MAX_BATCH_RECORDS ? Number(env.VANE_MAX_BATCH_RECORDS) : undefined,
    partitionsConcurrently: env.VANE_PARTITIONS_CONCURRENTLY ? Number(env.VANE_PARTITIONS_CONCURRENTLY) : undefined,
    sessionTimeoutMs: env.VANE_SESSION_TIMEOUT_MS ? Number(env.VANE_SESSION_TIMEOUT_MS) : undefined,
    metricsPort: env.VANE_METRICS_PORT ? portFromEnv(env, 'VANE_METRICS_PORT', 0) : undefined,
  };
}

/**
 * Runs a processor in the foreground: starts it, prints one status line a
 * minute (and one at start), stops cleanly on SIGINT/SIGTERM after the unit
 * of work in progress.
 */
export async function runProcessor<In extends TopicName, O, S = never>(
  manifest: ProcessorManifest<In, O, S>,
  env: Env,
  processorOptions: Record<string, unknown> = {},
): Promise<void> {
  const runtime = new ProcessorRuntime(manifest, runtimeOptionsFromEnv(env, processorOptions));
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
  const interval = Number(env.VANE_STATUS_INTERVAL_MS ?? 60_000);
  const timer = setInterval(() => log(`${manifest.name}: ${JSON.stringify(runtime.metrics.snapshot())}`), interval);
  timer.unref();
  await stopped;
  clearInterval(timer);
  log(`${manifest.name}: stopped ${JSON.stringify(runtime.metrics.snapshot())}`);
}

