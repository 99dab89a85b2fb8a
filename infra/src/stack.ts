import { VaneError, type InfraPaths } from '@vane/core';
import type { ServiceDefinition } from './service';
import { cassandra } from './services/cassandra';
import { clickhouse } from './services/clickhouse';
import { kafka } from './services/kafka';
import { registry } from './services/registry';
import { contextFor, serviceStatus, stopService, upService, type ServiceStatus, type UpOutcome } from './supervisor';

/** The local stack, in start order. */
export const services: readonly ServiceDefinition[] = [kafka, registry, cassandra, clickhouse];

type Env = Record<string, string | undefined>;

export interface StackOptions {
  paths: InfraPaths;
  env: Env;
  log: (message: string) => void;
}

export function selectServices(names: readonly string[]): ServiceDefinition[] {
  if (names.length === 0) return [...services];
  return names.map((name) => {
    const def = services.find((s) => s.name === name);
    if (!def) {
      throw new VaneError('VANE_ERR_USAGE', `unknown service '${name}' (known: ${services.map((s) => s.name).join(', ')})`);
    }
    return def;
  });
}

export interface UpResult {
  started: string[];
  reused: string[];
}

/**
 * Brings the selected services up concurrently. If one fails, the ones this
 * call started are stopped again and the first error is thrown.
 */
export async function stackUp(names: readonly string[], options: StackOptions): Promise<UpResult> {
  const defs = selectServices(names);
  const results = await Promise.allSettled(
    defs.map(async (def) => {
      const ctx = contextFor(def, options.paths, options.env, options.log);
      const started = Date.now();
      const outcome: UpOutcome = await upService(def, ctx);
      ctx.log(`${outcome === 'started' ? 'started' : 'already running'} on ${Object.values(ctx.ports).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return { name: def.name, outcome };
    }),
  );
  const result: UpResult = { started: [], reused: [] };
  let failure: unknown;
  for (const r of results) {
    if (r.status === 'fulfilled') (r.value.outcome === 'started' ? result.started : result.reused).push(r.value.name);
    else failure ??= r.reason;
  }
  if (failure) {
    await stackDown(result.started, options);
    throw failure;
  }
  return result;
}

/** Stops the selected services that Vane started; returns the names stopped. */
export async function stackDown(names: readonly string[], options: StackOptions): Promise<string[]> {
  const defs = names.length === 0 ? [...services] : selectServices(names);
  const stopped = await Promise.all(
    defs.map(async (def) => ((await stopService(def, contextFor(def, options.paths, options.env, options.log))) ? def.name : null)),
  );
  return stopped.filter((n): n is string => n !== null);
}

export async function stackStatus(names: readonly string[], options: StackOptions): Promise<ServiceStatus[]> {
  return Promise.all(selectServices(names).map((def) => serviceStatus(def, contextFor(def, options.paths, options.env, options.log))));
}
