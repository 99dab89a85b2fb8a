import type { FastifyInstance } from 'fastify';
import { ENTITY_APP, ENTITY_APP_VERSION, appEntityId, appVersionEntityId, type App, type AppPayload, type ConfigState } from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { NAME, check, checkAppHostname, checkHostname, inZone, remove, upsert } from '../validation';
import { appPayloadOf, appView, ownApp } from './app-resource';

/**
 * Routing apps. An app's id is "<tenantId>.<name>"; its zone and hostnames
 * are claimed across tenants (an overlap answers 409). Versions are in
 * app-versions.ts, publishing and rolling back in app-publishing.ts.
 *
 *   GET    /v1/apps                                   → {apps}
 *   POST   /v1/apps  {name, description?, zone?, hostnames?}     → 201 {app}
 *   GET    /v1/apps/:appId                            → {app}
 *   PATCH  /v1/apps/:appId  {description?, zone?, hostnames?}    → {app}
 *   DELETE /v1/apps/:appId                            → {appId, deleted: true}
 */

/** Zones and hostnames another app (of any tenant) already answers for, that `app` would overlap. */
function checkDnsClaims(state: ConfigState, tenantId: string, appId: string, zone: string | undefined, hostnames: string[]): void {
  if (!zone) return;
  for (const other of state.allApps()) {
    if (other.appId === appId || !other.zone) continue;
    const overlap = inZone(zone, other.zone) || inZone(other.zone, zone);
    if (other.tenantId !== tenantId && overlap) throw new VaneError('VANE_ERR_CONFLICT', `zone ${zone} is not available`, { field: 'body.zone' });
    if (other.tenantId === tenantId && overlap && other.zone !== zone) {
      throw new VaneError('VANE_ERR_CONFLICT', `zone ${zone} overlaps zone ${other.zone} of app ${other.appId}; apps of one zone share the same zone name`, { field: 'body.zone' });
    }
    const taken = hostnames.find((h) => other.hostnames.includes(h));
    if (taken) throw new VaneError('VANE_ERR_CONFLICT', `${taken} is answered by app ${other.appId}`, { field: 'body.hostnames' });
  }
}

export async function appRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store } = ctx;

  function dns(body: { zone?: string | null; hostnames?: string[] }, held?: App): { zone?: string; hostnames: string[] } {
    const zone = body.zone === null ? undefined : body.zone !== undefined ? checkHostname(body.zone, 'body.zone') : held?.zone;
    if (zone !== undefined) check(zone.includes('.'), 'body.zone', 'must have at least two labels (e.g. cdn.example.com)');
    const raw = body.hostnames ?? (body.zone !== undefined ? [] : (held?.hostnames ?? []));
    check(raw.length === 0 || zone !== undefined, 'body.hostnames', 'an app needs a zone to answer DNS names');
    const hostnames = [...new Set(raw.map((h, i) => checkAppHostname(h, `body.hostnames.${i}`, zone!)))];
    return { zone, hostnames };
  }

  const dnsProperties = {
    zone: { type: ['string', 'null'] },
    hostnames: { type: 'array', items: { type: 'string' }, maxItems: 100 },
    description: { type: 'string', maxLength: 2000 },
  };

  app.get('/v1/apps', { config: { access: 'read' } }, async (request) => {
    const tenantId = tenantOf(request);
    return { apps: store.state.allApps().filter((a) => a.tenantId === tenantId).map(appView) };
  });

  app.post<{ Body: { name: string; description?: string; zone?: string | null; hostnames?: string[] } }>(
    '/v1/apps',
    { config: { access: 'admin' }, schema: { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, ...dnsProperties } } } },
    async (request, reply) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const { name, description } = request.body;
        check(NAME.test(name), 'body.name', 'must be 1-63 of a-z, 0-9 and "-"');
        const appId = `${tenantId}.${name}`;
        if (store.state.app(appId)) throw new VaneError('VANE_ERR_CONFLICT', `app ${appId} exists`);
        const { zone, hostnames } = dns(request.body);
        checkDnsClaims(store.state, tenantId, appId, zone, hostnames);
        const at = ctx.now();
        const payload: AppPayload = { appId, tenantId, name, description, zone, hostnames, latestVersion: 0, publishedVersion: null, history: [], createdAt: at };
        await store.write([upsert(store.state, appEntityId(appId), ENTITY_APP, tenantId, payload, actorOf(request), at)]);
        return reply.code(201).send({ app: appView(store.state.app(appId)!) });
      }),
  );

  app.get<{ Params: { appId: string } }>('/v1/apps/:appId', { config: { access: 'read' } }, async (request) => ({ app: appView(ownApp(store.state, tenantOf(request), request.params.appId)) }));

  app.patch<{ Params: { appId: string }; Body: { description?: string; zone?: string | null; hostnames?: string[] } }>(
    '/v1/apps/:appId',
    { config: { access: 'admin' }, schema: { body: { type: 'object', additionalProperties: false, properties: dnsProperties } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = ownApp(store.state, tenantId, request.params.appId);
        const { zone, hostnames } = dns(request.body, held);
        checkDnsClaims(store.state, tenantId, held.appId, zone, hostnames);
        const payload: AppPayload = { ...appPayloadOf(held), description: request.body.description ?? held.description, zone, hostnames };
        await store.write([upsert(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, payload, actorOf(request), ctx.now())]);
        return { app: appView(store.state.app(held.appId)!) };
      }),
  );

  app.delete<{ Params: { appId: string } }>('/v1/apps/:appId', { config: { access: 'admin' } }, async (request) =>
    store.exclusive(async () => {
      const tenantId = tenantOf(request);
      const held = ownApp(store.state, tenantId, request.params.appId);
      const at = ctx.now();
      const actor = actorOf(request);
      // The versions go too (their ids would otherwise stay taken by a deleted app's name).
      const changes = store.state.appVersionsOf(held.appId).map((v) => remove(store.state, appVersionEntityId(held.appId, v.version), ENTITY_APP_VERSION, tenantId, actor, at));
      changes.push(remove(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, actor, at));
      await store.write(changes);
      return { appId: held.appId, deleted: true };
    }),
  );
}
