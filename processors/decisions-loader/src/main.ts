import { readEnv, type Env } from '@vane/core';
import { runProcessor } from '@vane/runtime';
import { dnsDecisionsLoader, httpDecisionsLoader } from './processor';
import { decisionsLoaderReplay } from './replay-spec';

/**
 * `vane run decisions-loader`: both loaders of the serving version in one
 * process (consumer groups vane.decisions-dns-loader and
 * vane.decisions-http-loader, `.<label>` after a replay's promote). With
 * VANE_METRICS_PORT set, the DNS loader serves its metrics there and the
 * HTTP loader on the next port.
 */
export async function main(env: Env): Promise<void> {
  const port = readEnv(env).int('VANE_METRICS_PORT', { min: 1, max: 65534 });
  const httpEnv = port !== undefined ? { ...env, VANE_METRICS_PORT: String(port + 1) } : env;
  await Promise.all([runProcessor(dnsDecisionsLoader, env, {}, decisionsLoaderReplay), runProcessor(httpDecisionsLoader, httpEnv, {}, decisionsLoaderReplay)]);
}
