import { runProcessor } from '@vane/runtime';
import { dnsDecisionsLoader, httpDecisionsLoader } from './processor';

/**
 * `vane run decisions-loader`: both loaders in one process (consumer groups
 * vane.decisions-dns-loader and vane.decisions-http-loader). With
 * VANE_METRICS_PORT set, the DNS loader serves its metrics there and the
 * HTTP loader on the next port.
 */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const port = env.VANE_METRICS_PORT ? Number(env.VANE_METRICS_PORT) : undefined;
  const httpEnv = port !== undefined && Number.isInteger(port) && port > 0 ? { ...env, VANE_METRICS_PORT: String(port + 1) } : env;
  await Promise.all([runProcessor(dnsDecisionsLoader, env), runProcessor(httpDecisionsLoader, httpEnv)]);
}
