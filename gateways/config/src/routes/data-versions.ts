import type { FastifyInstance } from 'fastify';
import { ENTITY_CUSTOM_DATA, dataEntityId, type CustomDataPayload, type DataHistoryEntry } from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { upsert } from '../validation';
import { HISTORY_KEPT, dataPayloadOf, ownDataSet, setView, versionView } from './data-resource';

/**
 * Versions of a custom data set: the last VANE_CONFIG_MAX_DATA_VERSIONS stay
 * readable and can be made current again.
 *
 *   GET  /v1/data/:name/versions               → {versions}
 *   GET  /v1/data/:name/versions/:version      → {name, version, data}
 *   POST /v1/data/:name/rollback  {version?}   → {name, version}   (default: the one current before)
 */
export async function dataVersionRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store, settings } = ctx;

  app.get<{ Params: { name: string } }>('/v1/data/:name/versions', { config: { access: 'read' } }, async (request) => {
    const tenantId = tenantOf(request);
    const set = ownDataSet(store.state, tenantId, request.params.name);
    return {
      ...setView(set),
      versions: store.state.customDataVersionsOf(tenantId, set.name).map((v) => ({ version: v.version, bytes: v.bytes, createdAt: v.createdAt, createdBy: v.createdBy, current: v.version === set.currentVersion })),
    };
  });

  app.get<{ Params: { name: string; version: string } }>('/v1/data/:name/versions/:version', { config: { access: 'read' } }, async (request) => {
    const tenantId = tenantOf(request);
    const set = ownDataSet(store.state, tenantId, request.params.name);
    const version = store.state.customDataVersion(tenantId, set.name, Number(request.params.version));
    if (!version) throw new VaneError('VANE_ERR_NOT_FOUND', `data set ${set.name} has no version ${request.params.version} (the last ${settings.maxDataVersions} are kept)`);
    return versionView(version);
  });

  app.post<{ Params: { name: string }; Body: { version?: number } | undefined }>(
    '/v1/data/:name/rollback',
    { config: { access: 'admin' }, schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const set = ownDataSet(store.state, tenantId, request.params.name);
        let target = request.body?.version;
        if (target === undefined) {
          const madeCurrent = [...set.history].reverse().find((h) => h.version === set.currentVersion && h.action === 'push');
          target = madeCurrent?.previous ?? undefined;
          if (target === undefined) throw new VaneError('VANE_ERR_CONFLICT', `data set ${set.name} has no earlier version to roll back to`);
        }
        if (!store.state.customDataVersion(tenantId, set.name, target)) throw new VaneError('VANE_ERR_NOT_FOUND', `data set ${set.name} has no version ${target}`);
        const at = ctx.now();
        const actor = actorOf(request);
        const entry: DataHistoryEntry = { action: 'rollback', version: target, previous: set.currentVersion, at, actor };
        const payload: CustomDataPayload = { ...dataPayloadOf(set), currentVersion: target, history: [...set.history, entry].slice(-HISTORY_KEPT) };
        await store.write([upsert(store.state, dataEntityId(tenantId, set.name), ENTITY_CUSTOM_DATA, tenantId, payload, actor, at)]);
        return { name: set.name, version: target };
      }),
  );
}
