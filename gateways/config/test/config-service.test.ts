import { ENTITY_READ_KEY, keyHash, readKeyEntity } from '@vane/config-model';
import type { FastifyInstance } from 'fastify';
import { build } from '../src/app';
import { MemoryConfigStore } from '../src/config-store';
import { Api, service, tenantWithProviders, versionBody } from './support/service';

describe('config service: apps lifecycle', () => {
  let app: FastifyInstance;
  let operator: Api;
  let acme: Api;
  let store: MemoryConfigStore;

  beforeAll(async () => {
    store = new MemoryConfigStore();
    ({ app, operator } = await service(store));
    acme = await tenantWithProviders(operator, 'acme');
  });
  afterAll(() => app.close());

  it('creates an app, test-runs, uploads versions, publishes and rolls back', async () => {
    const created = await acme.call('POST', '/v1/apps', { name: 'video', zone: 'acme-cdn.example', hostnames: ['www.acme-cdn.example', '*.img.acme-cdn.example'] });
    expect(created.statusCode).toBe(201);
    expect(created.data.app).toMatchObject({ appId: 'acme.video', zone: 'acme-cdn.example', hostnames: ['www.acme-cdn.example', '*.img.acme-cdn.example'], latestVersion: 0, publishedVersion: null });

    const dry = await acme.call('POST', '/v1/apps/acme.video/test', versionBody);
    expect(dry.statusCode).toBe(200);
    expect(dry.data).toMatchObject({ passed: true, failing: null });
    expect(store.state.appVersionsOf('acme.video')).toHaveLength(0);

    const v1 = await acme.call('POST', '/v1/apps/acme.video/versions', versionBody);
    expect(v1.statusCode).toBe(201);
    expect(v1.data).toMatchObject({ version: { version: 1, providers: ['cdn-a', 'cdn-b', 'origin'], tests: 2 }, tests: [{ name: 'fastest available wins', passed: true }, { name: 'no scores: origin', passed: true }] });
    const v2body = { ...versionBody, settings: { availabilityFloor: 0.5 } };
    expect((await acme.call('POST', '/v1/apps/acme.video/versions', v2body)).statusCode).toBe(201);
    const v3body = { ...versionBody, ttl: 45 };
    expect((await acme.call('POST', '/v1/apps/acme.video/versions', v3body)).statusCode).toBe(201);

    // Uploading publishes nothing.
    expect((await acme.call('GET', '/v1/apps/acme.video')).data.app).toMatchObject({ latestVersion: 3, publishedVersion: null });

    for (const v of [1, 2, 3]) expect((await acme.call('POST', '/v1/apps/acme.video/publish', { version: v })).data.app).toMatchObject({ publishedVersion: v });
    let rolled = await acme.call('POST', '/v1/apps/acme.video/rollback');
    expect(rolled.data.app).toMatchObject({ publishedVersion: 2 });
    rolled = await acme.call('POST', '/v1/apps/acme.video/rollback', {});
    expect(rolled.data.app).toMatchObject({ publishedVersion: 1 });
    const none = await acme.call('POST', '/v1/apps/acme.video/rollback');
    expect(none.statusCode).toBe(409);
    expect((await acme.call('POST', '/v1/apps/acme.video/rollback', { version: 3 })).data.app).toMatchObject({ publishedVersion: 3 });
    const history = ((await acme.call('GET', '/v1/apps/acme.video')).data.app as { history: { action: string; version: number; previous: number | null }[] }).history;
    expect(history.map((h) => [h.action, h.version, h.previous])).toEqual([
      ['publish', 1, null],
      ['publish', 2, 1],
      ['publish', 3, 2],
      ['rollback', 2, 3],
      ['rollback', 1, 2],
      ['rollback', 3, 1],
    ]);

    // Old versions stay readable, with their source.
    const old = await acme.call('GET', '/v1/apps/acme.video/versions/2');
    expect(old.data.version).toMatchObject({ version: 2, settings: { availabilityFloor: 0.5 }, source: versionBody.source });
    const list = await acme.call('GET', '/v1/apps/acme.video/versions');
    expect((list.data.versions as { version: number }[]).map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await acme.call('GET', '/v1/apps/acme.video/versions/9')).statusCode).toBe(404);
  });

  it('refuses a version whose test case fails, naming the case, and writes nothing', async () => {
    await acme.call('POST', '/v1/apps', { name: 'refused' });
    const before = store.written.length;
    const bad = {
      ...versionBody,
      tests: [
        ...versionBody.tests,
        {
          name: 'US goes to cdn-b',
          request: { client: { country: 'US' }, scores: { 'cdn-a': { rttP50: 90, availability: 0.99 }, 'cdn-b': { rttP50: 30, availability: 0.6 } } },
          expect: { provider: 'cdn-b' },
        },
      ],
    };
    const res = await acme.call('POST', '/v1/apps/acme.refused/versions', bad);
    expect(res.statusCode).toBe(422);
    expect(res.data).toMatchObject({
      code: 'VANE_ERR_APP_TEST_FAILED',
      failing: { name: 'US goes to cdn-b', passed: false, mismatches: ['provider'], expected: { provider: 'cdn-b' }, actual: { provider: 'cdn-a', reason: 'best_rtt' } },
    });
    expect(res.data.message).toBe('test case "US goes to cdn-b" failed: provider expected "cdn-b", got "cdn-a"');
    expect(store.written.length).toBe(before);
    expect((await acme.call('GET', '/v1/apps/acme.refused')).data.app).toMatchObject({ latestVersion: 0 });
  });

  it('refuses apps that do not compile or hang at load, and versions with unknown providers or no test', async () => {
    await acme.call('POST', '/v1/apps', { name: 'broken' });
    const syntax = await acme.call('POST', '/v1/apps/acme.broken/versions', { ...versionBody, source: 'function onRequest( {' });
    expect(syntax.statusCode).toBe(422);
    expect(syntax.data.code).toBe('VANE_ERR_APP_COMPILE');
    const hang = await acme.call('POST', '/v1/apps/acme.broken/versions', { ...versionBody, source: 'for (;;) {}' });
    expect(hang.data.code).toBe('VANE_ERR_APP_INIT');
    const unknown = await acme.call('POST', '/v1/apps/acme.broken/versions', { ...versionBody, providers: [...versionBody.providers, { id: 'nope' }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.data).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.providers.3.id' });
    const noTests = await acme.call('POST', '/v1/apps/acme.broken/versions', { ...versionBody, tests: [] });
    expect(noTests.statusCode).toBe(400);
    const badFallback = await acme.call('POST', '/v1/apps/acme.broken/versions', { ...versionBody, fallback: { provider: 'elsewhere' } });
    expect(badFallback.data).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.fallback.provider' });
  });

  it('keeps custom data versioned: push, read old versions, roll back', async () => {
    expect((await acme.call('PUT', '/v1/data/weights', { 'cdn-a': 1 })).data).toEqual({ name: 'weights', version: 1, changed: true });
    expect((await acme.call('PUT', '/v1/data/weights', { 'cdn-a': 1 })).data).toEqual({ name: 'weights', version: 1, changed: false });
    expect((await acme.call('PUT', '/v1/data/weights', { 'cdn-a': 2 })).data).toEqual({ name: 'weights', version: 2, changed: true });
    expect((await acme.call('GET', '/v1/data/weights')).data).toMatchObject({ version: 2, data: { 'cdn-a': 2 } });
    expect((await acme.call('GET', '/v1/data/weights/versions/1')).data).toMatchObject({ version: 1, data: { 'cdn-a': 1 } });
    expect((await acme.call('POST', '/v1/data/weights/rollback')).data).toEqual({ name: 'weights', version: 1 });
    expect((await acme.call('GET', '/v1/data/weights')).data).toMatchObject({ version: 1, data: { 'cdn-a': 1 } });
    expect((await acme.call('PUT', '/v1/data/weights', [1, 2, 3])).data).toEqual({ name: 'weights', version: 3, changed: true });
    const versions = await acme.call('GET', '/v1/data/weights/versions');
    expect(versions.data).toMatchObject({ currentVersion: 3, latestVersion: 3 });
  });

  it('keeps only the last versions of a data set', async () => {
    const small = await service(new MemoryConfigStore());
    const api = await tenantWithProviders(small.operator, 'tiny');
    await small.app.close();
    const limited = await build({ settings: { operatorToken: 'x'.repeat(30), maxDataVersions: 3 }, store: small.store });
    const as = new Api(limited, api.token);
    for (let i = 1; i <= 5; i++) await as.call('PUT', '/v1/data/feed', { i });
    const versions = (await as.call('GET', '/v1/data/feed/versions')).data.versions as { version: number }[];
    expect(versions.map((v) => v.version)).toEqual([3, 4, 5]);
    expect((await as.call('GET', '/v1/data/feed/versions/1')).statusCode).toBe(404);
    await limited.close();
  });
});

describe('config service: tenants are isolated', () => {
  let app: FastifyInstance;
  let operator: Api;
  let acme: Api;
  let globex: Api;
  const store = new MemoryConfigStore();

  beforeAll(async () => {
    ({ app, operator } = await service(store));
    acme = await tenantWithProviders(operator, 'acme');
    globex = await tenantWithProviders(operator, 'globex', 'gx-');
    await acme.call('POST', '/v1/apps', { name: 'video', zone: 'acme-cdn.example', hostnames: ['www.acme-cdn.example'] });
    await acme.call('POST', '/v1/apps/acme.video/versions', versionBody);
    await acme.call('PUT', '/v1/data/secret', { token: 'acme-only' });
  });
  afterAll(() => app.close());

  it('a tenant does not see another tenant\'s apps, versions, data or providers', async () => {
    expect((await globex.call('GET', '/v1/apps')).data.apps).toEqual([]);
    for (const url of ['/v1/apps/acme.video', '/v1/apps/acme.video/versions', '/v1/apps/acme.video/versions/1', '/v1/data/secret', '/v1/data/secret/versions/1', '/v1/providers/cdn-a']) {
      const res = await globex.call('GET', url);
      expect([url, res.statusCode, res.data.code]).toEqual([url, 404, 'VANE_ERR_NOT_FOUND']);
    }
    const providers = (await globex.call('GET', '/v1/providers')).data.providers as { providerId: string }[];
    expect(providers.map((p) => p.providerId).sort()).toEqual(['gx-cdn-a', 'gx-cdn-b', 'gx-origin']);
  });

  it('a tenant cannot change another tenant\'s objects', async () => {
    expect((await globex.call('POST', '/v1/apps/acme.video/publish', { version: 1 })).statusCode).toBe(404);
    expect((await globex.call('POST', '/v1/apps/acme.video/versions', versionBody)).statusCode).toBe(404);
    expect((await globex.call('DELETE', '/v1/apps/acme.video')).statusCode).toBe(404);
    expect((await globex.call('PUT', '/v1/providers/cdn-a', { cname: 'evil.example' })).statusCode).toBe(404);
    expect((await globex.call('DELETE', '/v1/providers/cdn-a')).statusCode).toBe(404);
    expect((await globex.call('POST', '/v1/data/secret/rollback', { version: 1 })).statusCode).toBe(404);
    // Its own data set of the same name is its own.
    expect((await globex.call('PUT', '/v1/data/secret', { token: 'globex' })).data).toMatchObject({ version: 1 });
    expect((await acme.call('GET', '/v1/data/secret')).data).toMatchObject({ data: { token: 'acme-only' } });
    // An app of another tenant cannot bind its providers.
    await globex.call('POST', '/v1/apps', { name: 'video' });
    const stolen = await globex.call('POST', '/v1/apps/globex.video/versions', { ...versionBody, providers: [{ id: 'cdn-a' }, { id: 'gx-origin' }], fallback: { provider: 'gx-origin' } });
    expect(stolen.data).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.providers.0.id' });
  });

  it('global names (provider ids, zones, hostnames) taken by another tenant are refused without details', async () => {
    const provider = await globex.call('POST', '/v1/providers', { providerId: 'cdn-a', cname: 'x.example' });
    expect(provider.data).toMatchObject({ code: 'VANE_ERR_CONFLICT', message: 'provider id cdn-a is not available' });
    const zone = await globex.call('POST', '/v1/apps', { name: 'grab', zone: 'www.acme-cdn.example' });
    expect(zone.data).toMatchObject({ code: 'VANE_ERR_CONFLICT', message: 'zone www.acme-cdn.example is not available' });
  });

  it('keys: read keys cannot change anything, revoked keys stop working, operators act per tenant', async () => {
    const read = await acme.call('POST', '/v1/keys', { name: 'dashboards', role: 'read' });
    expect(read.statusCode).toBe(201);
    const reader = acme.as((read.data as { key: string }).key);
    expect((await reader.call('GET', '/v1/apps')).statusCode).toBe(200);
    expect((await reader.call('POST', '/v1/apps/acme.video/publish', { version: 1 })).data.code).toBe('VANE_ERR_FORBIDDEN');
    expect((await acme.call('DELETE', `/v1/keys/${read.data.keyId as string}`)).data).toMatchObject({ revoked: true });
    const revoked = await reader.call('GET', '/v1/apps');
    expect([revoked.statusCode, revoked.data.code]).toEqual([403, 'VANE_ERR_KEY_REVOKED']);
    expect((await globex.call('DELETE', `/v1/keys/${read.data.keyId as string}`)).statusCode).toBe(404);

    expect((await acme.call('GET', '/v1/tenants')).data.code).toBe('VANE_ERR_FORBIDDEN');
    expect((await operator.call('GET', '/v1/apps')).data).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'headers.x-vane-tenant' });
    const asAcme = await operator.as(operator.token, 'acme').call('GET', '/v1/apps');
    expect((asAcme.data.apps as { appId: string }[]).map((a) => a.appId)).toEqual(['acme.video']);
    expect((await acme.as('vck_nothing').call('GET', '/v1/apps')).data.code).toBe('VANE_ERR_KEY_UNKNOWN');
    expect((await acme.as('').call('GET', '/v1/apps')).statusCode).toBe(401);

    // A disabled tenant's keys stop working.
    await operator.call('PATCH', '/v1/tenants/globex', { disabled: true });
    expect((await globex.call('GET', '/v1/apps')).data.code).toBe('VANE_ERR_TENANT_DISABLED');
    await operator.call('PATCH', '/v1/tenants/globex', { disabled: false });
    expect((await globex.call('GET', '/v1/apps')).statusCode).toBe(200);
  });

  it('sites and their ingest keys belong to the tenant', async () => {
    const site = await acme.call('POST', '/v1/sites', { domain: 'shop.acme.example', providers: ['cdn-a', 'cdn-b'], scopes: ['beacon', 'measurements'] });
    expect(site.statusCode).toBe(201);
    expect((site.data.key as { key: string }).key).toMatch(/^vk_/);
    const siteId = (site.data.site as { siteId: string }).siteId;
    // A read key beside the (public) ingest key: held by hash, for this site only, not an ingest key.
    const readKey = (site.data.readKey as { key: string }).key;
    expect(readKey).toMatch(/^rk_[A-Za-z0-9]{32}$/);
    expect(store.state.lookup(readKeyEntity, keyHash(readKey))).toMatchObject({ siteId, revoked: false, keyPrefix: readKey.slice(0, 8) });
    expect(store.state.key(readKey)).toBeUndefined();
    expect(JSON.stringify(store.state.entitiesOfType(ENTITY_READ_KEY))).not.toContain(readKey);
    expect((await globex.call('GET', `/v1/sites/${siteId}`)).statusCode).toBe(404);
    expect((await globex.call('POST', '/v1/sites', { domain: 'x.example', providers: ['cdn-a'] })).data).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.providers.0' });
    const extra = await acme.call('POST', `/v1/sites/${siteId}/keys`, { scopes: ['logs'] });
    expect(extra.statusCode).toBe(201);
    expect((await globex.call('DELETE', `/v1/sites/${siteId}/keys/${extra.data.keyId as string}`)).statusCode).toBe(404);
    expect((await acme.call('DELETE', `/v1/sites/${siteId}/keys/${extra.data.keyId as string}`)).data).toMatchObject({ revoked: true });
    const listed = (await acme.call('GET', `/v1/sites/${siteId}`)).data.site as { keys: { scopes: string[]; revoked: boolean }[] };
    expect(listed.keys.map((k) => [k.scopes.join(','), k.revoked]).sort()).toEqual([
      ['beacon,measurements', false],
      ['logs', true],
    ]);
  });

  it('public providers: usable by every tenant, changed by operators and their owner only', async () => {
    expect((await acme.call('PUT', '/v1/providers/cdn-a', { public: true })).data.code).toBe('VANE_ERR_FORBIDDEN');
    const made = await operator.as(operator.token, 'acme').call('PUT', '/v1/providers/cdn-a', { public: true });
    expect(made.data.provider).toMatchObject({ providerId: 'cdn-a', public: true });
    expect((await globex.call('GET', '/v1/providers/cdn-a')).data.provider).toMatchObject({ public: true, owned: false });
    expect((await globex.call('PUT', '/v1/providers/cdn-a', { cname: 'evil.example' })).data.code).toBe('VANE_ERR_FORBIDDEN');
    await globex.call('POST', '/v1/apps', { name: 'shared' });
    const version = await globex.call('POST', '/v1/apps/globex.shared/versions', {
      ...versionBody,
      providers: [{ id: 'cdn-a', cname: 'globex.cdn-a.net' }, { id: 'gx-cdn-b' }, { id: 'origin', cname: 'x.example' }],
    });
    // "origin" is acme's and private.
    expect(version.data).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.providers.2.id' });
  });
});
