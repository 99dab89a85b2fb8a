import {
  ConfigState,
  apiKeyEntityId,
  appEntityId,
  appVersionEntityId,
  configChange,
  dataEntityId,
  dataVersionEntityId,
  keyHash,
  newApiKey,
  tenantEntityId,
} from '../src';

const change = (entityId: string, entityType: string, tenantId: string, version: number, payload: object | null) =>
  configChange({ entityId, entityType, tenantId, version, op: payload === null ? 'delete' : 'upsert', actor: 'test', payload });

describe('ConfigState: the config service\'s entities', () => {
  it('folds tenants, API keys (by hash), apps, versions and custom data, typed', () => {
    const state = new ConfigState();
    const key = newApiKey();
    expect(key).toMatch(/^vck_[0-9A-Za-z]{32}$/);
    state.apply(change(tenantEntityId('acme'), 'tenant', 'acme', 1, { tenantId: 'acme', name: 'ACME', createdAt: 1 }));
    state.apply(change(apiKeyEntityId(key), 'api_key', 'acme', 1, { keyHash: keyHash(key), keyPrefix: key.slice(0, 8), tenantId: 'acme', role: 'read', revoked: false, createdAt: 1 }));
    state.apply(change(appEntityId('acme.video'), 'app', 'acme', 1, { appId: 'acme.video', tenantId: 'acme', name: 'video', zone: 'CDN.Acme.Example', hostnames: ['WWW.cdn.acme.example'], latestVersion: 2, publishedVersion: 1, history: [{ action: 'publish', version: 1, previous: null, at: 1, actor: 'x' }, { action: 'bogus', version: 3 }], createdAt: 1 }));
    for (const v of [1, 2]) {
      state.apply(change(appVersionEntityId('acme.video', v), 'app_version', 'acme', 1, { appId: 'acme.video', tenantId: 'acme', version: v, source: `// v${v}`, providers: [{ id: 'cdn-a', cname: 'A.example' }, { nope: 1 }], fallback: { provider: 'cdn-a', ttl: 5 }, tests: [{ name: 't', request: {}, expect: { provider: 'cdn-a' } }], createdAt: 1 }));
    }
    state.apply(change(dataVersionEntityId('acme', 'weights', 1), 'custom_data_version', 'acme', 1, { tenantId: 'acme', name: 'weights', version: 1, data: { a: 1 }, bytes: 7, createdAt: 1 }));
    state.apply(change(dataEntityId('acme', 'weights'), 'custom_data', 'acme', 1, { tenantId: 'acme', name: 'weights', latestVersion: 1, currentVersion: 1, history: [], createdAt: 1 }));

    expect(state.tenant('acme')).toMatchObject({ tenantId: 'acme', name: 'ACME', disabled: false, entityVersion: 1 });
    expect(state.apiKey(key)).toMatchObject({ tenantId: 'acme', role: 'read', revoked: false, entityId: apiKeyEntityId(key) });
    expect(state.apiKey(`${key}x`)).toBeUndefined();
    expect(state.app('acme.video')).toMatchObject({ zone: 'cdn.acme.example', hostnames: ['www.cdn.acme.example'], publishedVersion: 1, history: [{ action: 'publish', version: 1 }] });
    expect(state.appVersionsOf('acme.video').map((v) => v.version)).toEqual([1, 2]);
    expect(state.appVersion('acme.video', 2)).toMatchObject({ source: '// v2', providers: [{ id: 'cdn-a', cname: 'a.example' }], fallback: { provider: 'cdn-a', ttl: 5 }, ttl: 60, data: [], settings: null });
    expect(state.customData('acme', 'weights')).toMatchObject({ currentVersion: 1 });
    expect(state.customDataVersion('acme', 'weights', 1)).toMatchObject({ data: { a: 1 } });
    expect(state.counts()).toMatchObject({ tenants: 1, apps: 1 });
  });

  it('owns an entity by the change\'s tenant, whatever its payload claims', () => {
    const state = new ConfigState();
    state.apply(change(appEntityId('evil.app'), 'app', 'evil', 1, { appId: 'evil.app', tenantId: 'acme', name: 'app', hostnames: [], latestVersion: 0, publishedVersion: null, history: [], createdAt: 1 }));
    expect(state.app('evil.app')!.tenantId).toBe('evil');
  });

  it('forgets deleted versions and tombstoned data versions, and keeps counting versions', () => {
    const state = new ConfigState();
    const v1 = appVersionEntityId('acme.video', 1);
    state.apply(change(v1, 'app_version', 'acme', 1, { appId: 'acme.video', tenantId: 'acme', version: 1, source: '', providers: [], fallback: { provider: 'x' }, tests: [], createdAt: 1 }));
    state.apply(change(v1, 'app_version', 'acme', 2, null));
    expect(state.appVersion('acme.video', 1)).toBeUndefined();
    expect(state.entity(v1)).toMatchObject({ version: 2, payload: null });
    const d1 = dataVersionEntityId('acme', 'w', 1);
    state.apply(change(d1, 'custom_data_version', 'acme', 1, { tenantId: 'acme', name: 'w', version: 1, data: 1, createdAt: 1 }));
    expect(state.customDataVersionsOf('acme', 'w')).toHaveLength(1);
    state.tombstone(d1);
    expect(state.customDataVersionsOf('acme', 'w')).toHaveLength(0);
    expect(state.entity(d1)).toBeUndefined();
  });
});
