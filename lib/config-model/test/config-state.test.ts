import { ConfigState, configChange, keyEntityId, keyHash, newSiteKey, newSiteId } from '../src';

const site = (version: number, domain: string) =>
  configChange({ entityId: 'site_1', entityType: 'site', tenantId: 't', version, op: 'upsert', actor: 'test', payload: { siteId: 'site_1', domain, createdAt: 1 } });

describe('ConfigState (fold of config.changes.v1)', () => {
  it('keeps the highest version of each entity and ignores older ones', () => {
    const state = new ConfigState();
    expect(state.apply(site(2, 'b.example'))).toBe(true);
    expect(state.apply(site(1, 'a.example'))).toBe(false);
    expect(state.apply(site(2, 'c.example'))).toBe(false);
    expect(state.site('site_1')).toMatchObject({ domain: 'b.example', version: 2, tenantId: 't' });
    expect(state.apply(site(3, 'D.Example'))).toBe(true);
    expect(state.site('site_1')!.domain).toBe('d.example');
  });

  it('looks keys up by the presented key through its hash, and follows revocation and deletion', () => {
    const state = new ConfigState();
    const key = newSiteKey();
    expect(key).toMatch(/^vk_[0-9A-Za-z]{32}$/);
    const id = keyEntityId(key);
    const payload = { keyHash: keyHash(key), keyPrefix: key.slice(0, 8), siteId: 'site_1', scopes: ['beacon', 'bogus'], revoked: false, createdAt: 1 };
    state.apply(configChange({ entityId: id, entityType: 'key', tenantId: 't', version: 1, op: 'upsert', actor: 'cli', payload }));
    expect(state.key(key)).toMatchObject({ siteId: 'site_1', scopes: ['beacon'], revoked: false, entityId: id });
    expect(state.key(`${key}x`)).toBeUndefined();
    state.apply(configChange({ entityId: id, entityType: 'key', tenantId: 't', version: 2, op: 'upsert', actor: 'cli', payload: { ...payload, revoked: true } }));
    expect(state.key(key)!.revoked).toBe(true);
    state.apply(configChange({ entityId: id, entityType: 'key', tenantId: 't', version: 3, op: 'delete', actor: 'cli', payload: null }));
    expect(state.key(key)).toBeUndefined();
    // A late older upsert does not resurrect it.
    expect(state.apply(configChange({ entityId: id, entityType: 'key', tenantId: 't', version: 2, op: 'upsert', actor: 'cli', payload }))).toBe(false);
    expect(state.key(key)).toBeUndefined();
  });

  it('holds entity types it does not know raw, skips bad payloads, and forgets tombstones', () => {
    const state = new ConfigState();
    const seen: string[] = [];
    state.onChange((e, op) => seen.push(`${op}:${e.entityId}`));
    state.apply(configChange({ entityId: 'app_1', entityType: 'app', tenantId: 't', version: 1, op: 'upsert', actor: 'x', payload: { source: 'function onRequest() {}' } }));
    expect(state.entity('app_1')).toMatchObject({ entityType: 'app', payload: { source: 'function onRequest() {}' } });
    expect(state.entitiesOfType('app')).toHaveLength(1);
    const bad = { ...site(1, 'x'), payload: '{not json' };
    expect(state.apply(bad)).toBe(false);
    state.apply(configChange({ entityId: 'site_2', entityType: 'site', tenantId: 't', version: 1, op: 'upsert', actor: 'x', payload: { domain: 'no-id.example' } }));
    expect(state.site('site_2')).toBeUndefined();
    state.tombstone('app_1');
    expect(state.entity('app_1')).toBeUndefined();
    expect(seen).toEqual(['upsert:app_1', 'upsert:site_2', 'delete:app_1']);
    expect(newSiteId()).toMatch(/^site_[0-9A-Za-z]{16}$/);
  });

  it('keeps a lookup key that another entity took over when the first one goes', () => {
    const state = new ConfigState();
    const key = newSiteKey();
    const payload = (siteId: string) => ({ keyHash: keyHash(key), keyPrefix: key.slice(0, 8), siteId, scopes: ['beacon'], revoked: false, createdAt: 1 });
    state.apply(configChange({ entityId: 'key_a', entityType: 'key', tenantId: 't', version: 1, op: 'upsert', actor: 'x', payload: payload('site_a') }));
    state.apply(configChange({ entityId: 'key_b', entityType: 'key', tenantId: 't', version: 1, op: 'upsert', actor: 'x', payload: payload('site_b') }));
    expect(state.key(key)).toMatchObject({ entityId: 'key_b', siteId: 'site_b' });
    state.tombstone('key_a');
    expect(state.key(key)).toMatchObject({ entityId: 'key_b', siteId: 'site_b' });
    expect(state.counts()).toMatchObject({ keys: 1, entities: 1 });
    state.apply(configChange({ entityId: 'key_b', entityType: 'key', tenantId: 't', version: 2, op: 'delete', actor: 'x', payload: null }));
    expect(state.key(key)).toBeUndefined();
  });

  it('writes payload checksums', () => {
    const change = site(1, 'a.example');
    expect(change.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(configChange({ entityId: 'x', entityType: 'site', tenantId: 't', version: 2, op: 'delete', actor: 'x', payload: null })).toMatchObject({ payload: null, checksum: null });
  });
});
