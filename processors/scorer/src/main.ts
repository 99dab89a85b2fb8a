import { connectionsFromEnv, readEnv } from '@vane/core';
import { createScyllaClient, runtimeOptionsFromEnv, servingVersion, statusIntervalFromEnv, versionNaming } from '@vane/runtime';
import { namingFromEnv } from '@vane/topics';
import { scorerOptionsFromEnv } from './options';
import { ScorerPipeline } from './pipeline';
import { scorerTopics } from './replay-spec';

/**
 * `vane run scorer`: both stages of the serving model version (see
 * @vane/runtime versioning.ts; VANE_SCORER_VERSION runs another one), until
 * SIGINT/SIGTERM, which finishes the units of work in progress.
 */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const base = runtimeOptionsFromEnv(env, scorerOptionsFromEnv(env));
  const interval = statusIntervalFromEnv(env);
  const version = readEnv(env).string('VANE_SCORER_VERSION');
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const naming = namingFromEnv(env);
  const cql = createScyllaClient(connectionsFromEnv(env));
  let serving: string;
  try {
    serving = await servingVersion(cql, base.connections.scyllaKeyspace, 'scorer');
  } finally {
    await cql.shutdown();
  }
  const label = version ?? serving;
  const pipeline = new ScorerPipeline({ ...base, groupId: undefined, log }, versionNaming(label, naming, serving, scorerTopics));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= pipeline.stop());
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      log(`scorer: ${signal}, finishing the units of work in progress`);
      void stop().then(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    await pipeline.start();
  } catch (error) {
    await stop();
    throw error;
  }
  log(`scorer: version ${label}${label === serving ? ' (serving)' : ''}: groups ${pipeline.runtimes().map((r) => r.groupId).join(', ')} running`);
  const timer = setInterval(() => log(`scorer: windows ${JSON.stringify(pipeline.windows.metrics.snapshot())} scores ${JSON.stringify(pipeline.scores.metrics.snapshot())} history ${JSON.stringify(pipeline.history.metrics.snapshot())}`), interval);
  timer.unref();
  await stopped;
  clearInterval(timer);
}
