import type { FastifyInstance } from 'fastify';
import { ENTITY_KEY, keyEntityId, keyHash, keyScopes, newSiteKey, parseKeyPayload, type ConfigState, type KeyPayload, type KeyScope } from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { upsert } from '../validation';
import { ownSite } from './site-resource';

/**
 * Ingest keys of a site ("key" entities of config.changes.v1, stored as a
 * SHA-256 hash and an 8-character prefix; the key itself is shown once).
 *
 *   POST   /v1/sites/:siteId/keys  {scopes?, rateLimitPerMinute?, dailyLimit?} → 201 {key, keyId}
 *   DELETE /v1/sites/:siteId/keys/:keyId                                    → {keyId, revoked: true}
 */
export interface KeyOptions {
  scopes?: KeyScope[];
  rateLimitPerMinute?: number;
  dailyLimit?: number;
}

export const keyProperties = {
  scopes: { type: 'array', items: { type: 'string', enum: [...keyScopes] }, uniqueItems: true },
  rateLimitPerMinute: { type: 'integer', minimum: 1 },
  dailyLimit: { type: 'integer', minimum: 1 },
};

/** A new key of the site and the change that writes it. */
export function newKey(state: ConfigState, tenantId: string, siteId: string, options: KeyOptions, actor: string, at: number): { key: string; change: ReturnType<typeof upsert> } {
  const key = newSiteKey();
  const payload: KeyPayload = {
    keyHash: keyHash(key),
    keyPrefix: key.slice(0, 8),
    siteId,
    scopes: options.scopes ?? [...keyScopes],
    revoked: false,
    rateLimitPerMinute: options.rateLimitPerMinute,
    dailyLimit: options.dailyLimit,
    createdAt: at,
  };
  return { key, change: upsert(state, keyEntityId(key), ENTITY_KEY, tenantId, payload, actor, at) };
}

export async function siteKeyRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store } = ctx;

  app.post<{ Params: { siteId: string }; Body: KeyOptions | undefined }>(
    '/v1/sites/:siteId/keys',
    { config: { access: 'admin' }, schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: keyProperties } } },
    async (request, reply) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const site = ownSite(store.state, tenantId, request.params.siteId);
        const key = newKey(store.state, tenantId, site.siteId, request.body ?? {}, actorOf(request), ctx.now());
        await store.write([key.change]);
        return reply.code(201).send({ key: key.key, keyId: key.change.entityId });
      }),
  );

  app.delete<{ Params: { siteId: string; keyId: string } }>('/v1/sites/:siteId/keys/:keyId', { config: { access: 'admin' } }, async (request) =>
    store.exclusive(async () => {
      const tenantId = tenantOf(request);
      const site = ownSite(store.state, tenantId, request.params.siteId);
      const entity = store.state.entity(request.params.keyId);
      const key = entity && entity.entityType === ENTITY_KEY && entity.tenantId === tenantId ? parseKeyPayload(entity.payload) : null;
      if (!entity || !key || key.siteId !== site.siteId) throw new VaneError('VANE_ERR_NOT_FOUND', `no key ${request.params.keyId} for site ${site.siteId}`);
      if (!key.revoked) {
        await store.write([upsert(store.state, entity.entityId, ENTITY_KEY, tenantId, { ...key, revoked: true, revokedAt: ctx.now() }, actorOf(request), ctx.now())]);
      }
      return { keyId: entity.entityId, revoked: true };
    }),
  );
}
