import type { FastifyInstance } from 'fastify';
import { ENTITY_READ_KEY, ENTITY_SITE, newReadKey, newSiteId, readKeyEntityId, readKeyPayload, type Site, type SitePayload } from '@vane/config-model';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { check, checkHostname, upsert } from '../validation';
import { visibleProvider } from './providers';
import { keyProperties, newKey, type KeyOptions } from './site-keys';
import { ownSite, siteView } from './site-resource';

/**
 * Sites (web sites sending beacons, logs and RUM measurements to the ingest
 * gateway) and their first ingest key, as config.changes.v1 "site" and "key"
 * entities (the shapes gateways/ingest reads).
 *
 *   GET    /v1/sites                                                        → {sites}
 *   POST   /v1/sites  {domain, name?, hostnames?, providers?, scopes?, rateLimitPerMinute?, dailyLimit?}
 *                                                                           → 201 {site, key, readKey}   (keys shown once)
 *   GET    /v1/sites/:siteId                                                → {site}
 *   PATCH  /v1/sites/:siteId  {name?, hostnames?, providers?}               → {site}
 *
 * Further keys of a site: site-keys.ts.
 */
export async function siteRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store } = ctx;

  function checkProviders(tenantId: string, providers: unknown): string[] | undefined {
    if (providers === undefined) return undefined;
    const list = providers as string[];
    list.forEach((id, i) => check(visibleProvider(store.state, tenantId, id) !== undefined, `body.providers.${i}`, `no provider ${id}`));
    return list;
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
        const key = newKey(store.state, tenantId, siteId, body, actor, at);
        const readKey = newReadKey();
        await store.write([
          upsert(store.state, siteId, ENTITY_SITE, tenantId, site, actor, at),
          key.change,
          upsert(store.state, readKeyEntityId(readKey), ENTITY_READ_KEY, tenantId, readKeyPayload(readKey, siteId, at), actor, at),
        ]);
        return reply.code(201).send({ site: siteView(store.state, store.state.site(siteId)!), key: { key: key.key, keyId: key.change.entityId }, readKey: { key: readKey, keyId: readKeyEntityId(readKey) } });
      }),
  );

  app.get<{ Params: { siteId: string } }>('/v1/sites/:siteId', { config: { access: 'read' } }, async (request) => ({
    site: siteView(store.state, ownSite(store.state, tenantOf(request), request.params.siteId)),
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
        const held = ownSite(store.state, tenantId, request.params.siteId);
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
}
