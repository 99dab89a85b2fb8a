import type { FastifyInstance } from 'fastify';
import { ENTITY_APP, appEntityId, type App, type AppHistoryEntry, type AppPayload } from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { upsert } from '../validation';
import { HISTORY_KEPT, appPayloadOf, appView, ownApp } from './app-resource';

/**
 * Publishing and rolling back an app's versions: explicit, and recorded in
 * the app's history (the last HISTORY_KEPT steps).
 *
 *   POST   /v1/apps/:appId/publish   {version}        → {app}
 *   POST   /v1/apps/:appId/rollback  {version?}       → {app}        (default: the version published before the current one)
 */
export async function appPublishingRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store } = ctx;

  async function setPublished(tenantId: string, held: App, version: number, action: AppHistoryEntry['action'], actor: string): Promise<App> {
    if (!store.state.appVersion(held.appId, version)) throw new VaneError('VANE_ERR_NOT_FOUND', `app ${held.appId} has no version ${version}`);
    const at = ctx.now();
    const entry: AppHistoryEntry = { action, version, previous: held.publishedVersion, at, actor };
    const payload: AppPayload = { ...appPayloadOf(held), publishedVersion: version, history: [...held.history, entry].slice(-HISTORY_KEPT) };
    await store.write([upsert(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, payload, actor, at)]);
    return store.state.app(held.appId)!;
  }

  app.post<{ Params: { appId: string }; Body: { version: number } }>(
    '/v1/apps/:appId/publish',
    { config: { access: 'admin' }, schema: { body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = ownApp(store.state, tenantId, request.params.appId);
        return { app: appView(await setPublished(tenantId, held, request.body.version, 'publish', actorOf(request))) };
      }),
  );

  app.post<{ Params: { appId: string }; Body: { version?: number } | undefined }>(
    '/v1/apps/:appId/rollback',
    { config: { access: 'admin' }, schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = ownApp(store.state, tenantId, request.params.appId);
        if (held.publishedVersion === null) throw new VaneError('VANE_ERR_CONFLICT', `app ${held.appId} is not published`);
        let target = request.body?.version;
        if (target === undefined) {
          // The version published before the current one was: walk the publish chain back.
          const publishedBy = [...held.history].reverse().find((h) => h.action === 'publish' && h.version === held.publishedVersion);
          target = publishedBy?.previous ?? undefined;
          if (target === undefined) throw new VaneError('VANE_ERR_CONFLICT', `app ${held.appId} has no earlier published version to roll back to`);
        }
        return { app: appView(await setPublished(tenantId, held, target, 'rollback', actorOf(request))) };
      }),
  );
}
