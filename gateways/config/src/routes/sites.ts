import type { FastifyInstance } from 'fastify';
import {
  ENTITY_KEY,
  ENTITY_SITE,
  keyEntityId,
  keyHash,
  keyScopes,
  newSiteId,
  newSiteKey,
  parseKeyPayload,
  type ConfigState,
  type KeyPayload,
  type KeyScope,
  type Site,
  type SitePayload,
} from '@vane/topics';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { check, checkHostname, upsert } from '../validation';
import { visibleProvider } from './providers';

/**
 * Sites (web sites sending beacons, logs and RUM measurements to the ingest
 * gateway) and their ingest keys, as config.changes.v1 "site" and "key"
 * entities (the shapes gateways/ingest reads).
 *
 *   GET    /v1/sites                                                        → {sites}
 *   POST   /v1/sites  {domain, name?, hostnames?, providers?, scopes?, rateLimitPerMinute?, dailyLimit?}
 *                                                                           → 201 {site, key}   (key shown once)
 *   GET    /v1/sites/:siteId                                                → {site}
 *   PATCH  /v1/sites/:siteId  {name?, hostnames?, providers?}               → {site}
 *   POST   /v1/sites/:siteId/keys  {scopes?, rateLimitPerMinute?, dailyLimit?} → 201 {key, keyId}
 *   DELETE /v1/sites/:siteId/keys/:keyId                                    → {keyId, revoked: true}
 */

interface KeyOptions {
  scopes?: KeyScope[];
  rateLimitPerMinute?: number;
  dailyLimit?: number;
}

const keyProperties = {
  scopes: { type: 'array', items: { type: 'string', enum: [...keyScopes] }, uniqueItems: true },
  rateLimitPerMinute: { type: 'integer', minimum: 1 },
  dailyLimit: { type: 'integer', minimum: 1 },
};

function siteKeys(state: ConfigState, siteId: string): Record<string, unknown>[] {
  return state
    .entitiesOfType(ENTITY_KEY)
    .map((e) => ({ id: e.entityId, key: parseKeyPayload(e.payload) }))
    .filter((k) => k.key?.siteId === siteId)
    .map((k) => ({ keyId: k.id, keyPrefix: k.key!.keyPrefix, scopes: k.key!.scopes, revoked: k.key!.revoked }));
}

function siteView(state: ConfigState, site: Site): Record<string, unknown> {
  return { siteId: site.siteId, domain: site.domain, name: site.name ?? null, hostnames: site.hostnames ?? [], providers: site.providers ?? [], createdAt: site.createdAt, keys: siteKeys(state, site.siteId) };
}

export async function siteRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store } = ctx;

  function ownSite(tenantId: string, siteId: string): Site {
    const site = store.state.site(siteId);
    if (!site || site.tenantId !== tenantId) throw new VaneError('VANE_ERR_NOT_FOUND', `no site ${siteId}`);
    return site;
  }

  function checkProviders(tenantId: string, providers: unknown): string[] | undefined {
    if (providers === undefined) return undefined;
    const list = providers as string[];
    list.forEach((id, i) => check(visibleProvider(store.state, tenantId, id) !== undefined, `body.providers.${i}`, `no provider ${id}`));
    return list;
  }

  function newKey(tenantId: string, siteId: string, options: KeyOptions, actor: string, at: number): { key: string; change: ReturnType<typeof upsert> } {
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
    return { key, change: upsert(store.state, keyEntityId(key), ENTITY_KEY, tenantId, payload, actor, at) };
  }

  app.get('/v1/sites', { config: { access: 'read' } }, async (request) => {
    const tenantId = tenantOf(request);
    const sites = store.state
      .entitiesOfType(ENTITY_SITE)
      .map((e) => store.state.site(e.entityId))
      .filter((s): s is Site => s !== undefined && s.tenantId === tenantId);
    return { sites: sites.map((s) => siteView(store.state, s)) };
  });

  app.post<{ Body: { domain: string; name?: string; hostnames?: string[]; providers?: string[] } & KeyOptions }>(
    '/v1/sites',
    {
      config: { access: 'admin' },
      schema: {
        body: {
          type: 'object',
          required: ['domain'],
          additionalProperties: false,
          properties: {
            domain: { type: 'string' },
            name: { type: 'string', maxLength: 200 },
            hostnames: { type: 'array', items: { type: 'string' }, maxItems: 50 },
            providers: { type: 'array', items: { type: 'string' }, maxItems: 50, uniqueItems: true },
            ...keyProperties,
          },
        },
      },
    },
    async (request, reply) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const body = request.body;
        const domain = checkHostname(body.domain, 'body.domain');
        const hostnames = body.hostnames?.map((h, i) => (h === 'localhost' ? h : checkHostname(h, `body.hostnames.${i}`)));
        const providers = checkProviders(tenantId, body.providers) ?? [];
        const at = ctx.now();
        const actor = actorOf(request);
        const siteId = newSiteId();
        const site: SitePayload = { siteId, domain, hostnames, providers, name: body.name, createdAt: at };
        const key = newKey(tenantId, siteId, body, actor, at);
        await store.write([upsert(store.state, siteId, ENTITY_SITE, tenantId, site, actor, at), key.change]);
        return reply.code(201).send({ site: siteView(store.state, store.state.site(siteId)!), key: { key: key.key, keyId: key.change.entityId } });
      }),
  );

  app.get<{ Params: { siteId: string } }>('/v1/sites/:siteId', { config: { access: 'read' } }, async (request) => ({
    site: siteView(store.state, ownSite(tenantOf(request), request.params.siteId)),
  }));

  app.patch<{ Params: { siteId: string }; Body: { name?: string; hostnames?: string[]; providers?: string[] } }>(
    '/v1/sites/:siteId',
    {
      config: { access: 'admin' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: { type: 'string', maxLength: 200 },
            hostnames: { type: 'array', items: { type: 'string' }, maxItems: 50 },
            providers: { type: 'array', items: { type: 'string' }, maxItems: 50, uniqueItems: true },
          },
        },
      },
    },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = ownSite(tenantId, request.params.siteId);
        const body = request.body;
        const payload: SitePayload = {
          siteId: held.siteId,
          domain: held.domain,
          name: body.name ?? held.name,
          hostnames: body.hostnames ? body.hostnames.map((h, i) => (h === 'localhost' ? h : checkHostname(h, `body.hostnames.${i}`))) : held.hostnames,
          providers: checkProviders(tenantId, body.providers) ?? held.providers,
          createdAt: held.createdAt,
        };
        await store.write([upsert(store.state, held.siteId, ENTITY_SITE, tenantId, payload, actorOf(request), ctx.now())]);
        return { site: siteView(store.state, store.state.site(held.siteId)!) };
      }),
  );

  app.post<{ Params: { siteId: string }; Body: KeyOptions | undefined }>(
    '/v1/sites/:siteId/keys',
    { config: { access: 'admin' }, schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: keyProperties } } },
    async (request, reply) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const site = ownSite(tenantId, request.params.siteId);
        const key = newKey(tenantId, site.siteId, request.body ?? {}, actorOf(request), ctx.now());
        await store.write([key.change]);
        return reply.code(201).send({ key: key.key, keyId: key.change.entityId });
      }),
  );

  app.delete<{ Params: { siteId: string; keyId: string } }>('/v1/sites/:siteId/keys/:keyId', { config: { access: 'admin' } }, async (request) =>
    store.exclusive(async () => {
      const tenantId = tenantOf(request);
      const site = ownSite(tenantId, request.params.siteId);
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
