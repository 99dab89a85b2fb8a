import { startService, type RunningService } from '@vane/config/server';
import type { TestNamespace } from './fixtures';

/** The operators' token of config services started by tests. */
export const TEST_OPERATOR_TOKEN = 'operator-token-integration-0123456789';

export interface TestConfigService {
  service: RunningService;
  url: string;
  /** What a `vane` command needs to reach this service as an operator (VANE_CONFIG_URL, VANE_CONFIG_OPERATOR_TOKEN). */
  env: Record<string, string>;
  /** The first admin API key of each tenant created at start. */
  tenantKeys: Record<string, string>;
  /** An operator call; throws on an error answer. */
  call(method: string, path: string, body?: unknown, tenant?: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The config service (the one writer of config.changes.v1) on a test
 * namespace, listening on 127.0.0.1 on a free port, with `tenants` created
 * (default: "default", the tenant `vane sites create` acts on).
 */
export async function startConfigService(ns: TestNamespace, options: { tenants?: string[] } = {}): Promise<TestConfigService> {
  const service = await startService({
    settings: { host: '127.0.0.1', port: 0, operatorToken: TEST_OPERATOR_TOKEN, sandbox: { timeoutMs: 50, memoryMb: 16 } },
    connections: ns.connections,
    naming: ns.naming,
    operatorTokenFile: '/nonexistent',
    logLevel: 'silent',
    log: () => undefined,
  });
  const call = async (method: string, path: string, body?: unknown, tenant?: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, ...(tenant ? { 'x-vane-tenant': tenant } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const tenantKeys: Record<string, string> = {};
  try {
    for (const tenantId of options.tenants ?? ['default']) {
      const created = await call('POST', '/v1/tenants', { tenantId });
      tenantKeys[tenantId] = (created.key as { key: string }).key;
    }
  } catch (error) {
    await service.close();
    throw error;
  }
  return {
    service,
    url: service.url,
    env: { VANE_CONFIG_URL: service.url, VANE_CONFIG_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN },
    tenantKeys,
    call,
    close: () => service.close(),
  };
}
