import type { ConfigChange } from '@vane/schemas';
import { startService, type RunningService, type ServerOptions } from '../src/server';
import { createNamespace, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { versionBody } from './support/service';

const OPERATOR = 'operator-token-integration-0123456789';

describe('config service on Kafka: every change is an event on config.changes.v1', () => {
  let ns: TestNamespace;
  let service: RunningService;

  function options(): ServerOptions {
    return {
      settings: { host: '127.0.0.1', port: 0, operatorToken: OPERATOR, sandbox: { timeoutMs: 50, memoryMb: 16 } },
      connections: ns.connections,
      naming: ns.naming,
      operatorTokenFile: '/nonexistent',
      logLevel: 'silent',
      log: () => undefined,
    };
  }

  async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; data: Record<string, unknown> }> {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: (await res.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    ns = await createNamespace();
    service = await startService(options());
  });

  afterAll(async () => {
    await service?.close();
    await ns.cleanup();
  });

  it('writes events, reads its own writes, and rebuilds the same view from the topic after a restart', async () => {
    const tenant = await call('POST', '/v1/tenants', OPERATOR, { tenantId: 'acme' });
    expect(tenant.status).toBe(201);
    const key = (tenant.data.key as { key: string }).key;
    for (const [providerId, cname] of [['cdn-a', 'acme.cdn-a.net'], ['cdn-b', 'acme.cdn-b.net'], ['origin', 'origin.acme.example']]) {
      expect((await call('POST', '/v1/providers', key, { providerId, cname })).status).toBe(201);
    }
    expect((await call('POST', '/v1/apps', key, { name: 'video', zone: 'acme-cdn.example', hostnames: ['www.acme-cdn.example'] })).status).toBe(201);
    expect((await call('POST', '/v1/apps/acme.video/versions', key, versionBody)).status).toBe(201);
    expect((await call('POST', '/v1/apps/acme.video/versions', key, { ...versionBody, ttl: 90 })).status).toBe(201);
    expect((await call('POST', '/v1/apps/acme.video/publish', key, { version: 2 })).data.app).toMatchObject({ publishedVersion: 2 });
    expect((await call('POST', '/v1/apps/acme.video/publish', key, { version: 1 })).data.app).toMatchObject({ publishedVersion: 1 });
    expect((await call('PUT', '/v1/data/weights', key, { 'cdn-a': 3 })).data).toMatchObject({ version: 1 });
    // A refused version leaves no trace on the topic.
    const refused = await call('POST', '/v1/apps/acme.video/versions', key, { ...versionBody, tests: [{ name: 'wrong', request: {}, expect: { provider: 'cdn-a' } }] });
    expect(refused.data).toMatchObject({ code: 'VANE_ERR_APP_TEST_FAILED' });

    const records = await readAll<ConfigChange>(ns, topicOf(ns, 'config.changes.v1'), { atLeast: 13, idleMs: 1500 });
    const changes = records.map((r) => r.value);
    expect(changes.map((c) => `${c.entityType}:${c.entityId}@${c.version}`)).toEqual([
      'tenant:tenant:acme@1',
      expect.stringMatching(/^api_key:apikey:[0-9a-f]{32}@1$/),
      'provider:cdn-a@1',
      'provider:cdn-b@1',
      'provider:origin@1',
      'app:app:acme.video@1',
      'app_version:appver:acme.video:1@1',
      'app:app:acme.video@2',
      'app_version:appver:acme.video:2@1',
      'app:app:acme.video@3',
      'app:app:acme.video@4',
      'app:app:acme.video@5',
      'custom_data_version:datav:acme:weights:1@1',
      'custom_data:data:acme:weights@1',
    ]);
    for (const r of records) expect(r.key).toBe(r.value.entityId);
    expect(changes.every((c) => c.tenantId === 'acme')).toBe(true);
    // The API key itself never reaches the topic, only its hash.
    expect(records.some((r) => r.raw?.includes(Buffer.from(key)))).toBe(false);
    const published = JSON.parse(changes[11]!.payload!) as { publishedVersion: number; history: unknown[] };
    expect(published).toMatchObject({ publishedVersion: 1, history: [{ action: 'publish', version: 2 }, { action: 'publish', version: 1, previous: 2 }] });

    const before = await call('GET', '/v1/apps/acme.video', key);
    await service.close();
    service = await startService(options());
    const after = await call('GET', '/v1/apps/acme.video', key);
    expect(after).toEqual(before);
    expect((await call('GET', '/v1/apps/acme.video/versions/2', key)).data.version).toMatchObject({ version: 2, ttl: 90 });
    expect((await call('GET', '/v1/data/weights', key)).data).toMatchObject({ version: 1, data: { 'cdn-a': 3 } });
    expect((await call('POST', '/v1/apps/acme.video/rollback', key)).data.app).toMatchObject({ publishedVersion: 2 });
  });
});
