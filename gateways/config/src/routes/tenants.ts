import type { FastifyInstance } from 'fastify';
import {
  ENTITY_API_KEY,
  ENTITY_TENANT,
  apiKeyEntityId,
  apiKeyRoles,
  keyHash,
  newApiKey,
  tenantEntityId,
  type ApiKey,
  type ApiKeyPayload,
  type ApiKeyRole,
  type Tenant,
  type TenantPayload,
} from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { TENANT_ID, check, upsert } from '../validation';

/**
 * Tenants (operators) and the tenant's own API keys.
 *
 *   POST  /v1/tenants            {tenantId, name?}        → 201 {tenant, key}   (operator; key = first admin key, shown once)
 *   GET   /v1/tenants                                     → {tenants}           (operator)
 *   PATCH /v1/tenants/:tenantId  {name?, disabled?}       → {tenant}            (operator)
 *   GET   /v1/tenant                                      → {tenant}            (the caller's)
 *   GET   /v1/keys                                        → {keys}              (prefixes only)
 *   POST  /v1/keys               {name?, role?}           → 201 {key, keyId, role}  (admin; key shown once)
 *   DELETE /v1/keys/:keyId                                → {keyId, revoked: true}  (admin)
 */
function tenantView(t: Tenant): Record<string, unknown> {
  return { tenantId: t.tenantId, name: t.name ?? null, disabled: t.disabled === true, createdAt: t.createdAt };
}

function keyView(k: ApiKey): Record<string, unknown> {
  return { keyId: k.entityId, keyPrefix: k.keyPrefix, name: k.name ?? null, role: k.role, revoked: k.revoked, createdAt: k.createdAt };
}

export async function tenantRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store } = ctx;

  function newKey(tenantId: string, role: ApiKeyRole, name: string | undefined, actor: string, at: number): { key: string; change: ReturnType<typeof upsert> } {
    const key = newApiKey();
    const payload: ApiKeyPayload = { keyHash: keyHash(key), keyPrefix: key.slice(0, 8), tenantId, name, role, revoked: false, createdAt: at };
    return { key, change: upsert(store.state, apiKeyEntityId(key), ENTITY_API_KEY, tenantId, payload, actor, at) };
  }

  app.post<{ Body: { tenantId: string; name?: string } }>(
    '/v1/tenants',
    {
      config: { access: 'operator' },
      schema: { body: { type: 'object', required: ['tenantId'], additionalProperties: false, properties: { tenantId: { type: 'string' }, name: { type: 'string', maxLength: 200 } } } },
    },
    async (request, reply) => {
      const { tenantId, name } = request.body;
      check(TENANT_ID.test(tenantId), 'body.tenantId', 'must be 2-32 of a-z, 0-9 and "-", starting with a letter');
      return store.exclusive(async () => {
        if (store.state.entity(tenantEntityId(tenantId))?.payload) throw new VaneError('VANE_ERR_CONFLICT', `tenant ${tenantId} exists`);
        const at = ctx.now();
        const actor = actorOf(request);
        const payload: TenantPayload = { tenantId, name, disabled: false, createdAt: at };
        const key = newKey(tenantId, 'admin', 'first admin key', actor, at);
        await store.write([upsert(store.state, tenantEntityId(tenantId), ENTITY_TENANT, tenantId, payload, actor, at), key.change]);
        return reply.code(201).send({ tenant: tenantView(store.state.tenant(tenantId)!), key: { key: key.key, keyId: key.change.entityId, role: 'admin' } });
      });
    },
  );

  app.get('/v1/tenants', { config: { access: 'operator' } }, async () => ({ tenants: store.state.allTenants().map(tenantView) }));

  app.patch<{ Params: { tenantId: string }; Body: { name?: string; disabled?: boolean } }>(
    '/v1/tenants/:tenantId',
    {
      config: { access: 'operator' },
      schema: { body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', maxLength: 200 }, disabled: { type: 'boolean' } } } },
    },
    async (request) =>
      store.exclusive(async () => {
        const held = store.state.tenant(request.params.tenantId);
        if (!held) throw new VaneError('VANE_ERR_NOT_FOUND', `no tenant ${request.params.tenantId}`);
        const payload: TenantPayload = { tenantId: held.tenantId, name: request.body.name ?? held.name, disabled: request.body.disabled ?? held.disabled ?? false, createdAt: held.createdAt };
        await store.write([upsert(store.state, tenantEntityId(held.tenantId), ENTITY_TENANT, held.tenantId, payload, actorOf(request), ctx.now())]);
        return { tenant: tenantView(store.state.tenant(held.tenantId)!) };
      }),
  );

  app.get('/v1/tenant', { config: { access: 'read' } }, async (request) => ({ tenant: tenantView(store.state.tenant(tenantOf(request))!) }));

  app.get('/v1/keys', { config: { access: 'read' } }, async (request) => ({ keys: store.state.apiKeysOf(tenantOf(request)).map(keyView) }));

  app.post<{ Body: { name?: string; role?: ApiKeyRole } }>(
    '/v1/keys',
    {
      config: { access: 'admin' },
      schema: { body: { type: 'object', additionalProperties: false, properties: { name: { type: 'string', maxLength: 200 }, role: { type: 'string', enum: [...apiKeyRoles] } } } },
    },
    async (request, reply) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const key = newKey(tenantId, request.body?.role ?? 'admin', request.body?.name, actorOf(request), ctx.now());
        await store.write([key.change]);
        return reply.code(201).send({ key: key.key, keyId: key.change.entityId, role: request.body?.role ?? 'admin' });
      }),
  );

  app.delete<{ Params: { keyId: string } }>('/v1/keys/:keyId', { config: { access: 'admin' } }, async (request) =>
    store.exclusive(async () => {
      const tenantId = tenantOf(request);
      const entity = store.state.entity(request.params.keyId);
      const held = store.state.apiKeysOf(tenantId).find((k) => k.entityId === request.params.keyId);
      if (!entity || !held) throw new VaneError('VANE_ERR_NOT_FOUND', `no key ${request.params.keyId}`);
      if (!held.revoked) {
        const { entityId, entityVersion: _v, ...rest } = held;
        const payload: ApiKeyPayload = { ...rest, revoked: true, revokedAt: ctx.now() };
        await store.write([upsert(store.state, entityId, ENTITY_API_KEY, tenantId, payload, actorOf(request), ctx.now())]);
      }
      return { keyId: held.entityId, revoked: true };
    }),
  );
}
