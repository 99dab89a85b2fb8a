import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { ENTITY_CUSTOM_DATA, ENTITY_CUSTOM_DATA_VERSION, dataEntityId, dataVersionEntityId, type CustomDataPayload, type CustomDataVersionPayload, type DataHistoryEntry } from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { NAME, check, jsonBytes, upsert } from '../validation';
import { HISTORY_KEPT, ownDataSet, setView, versionView } from './data-resource';

/**
 * Custom data (Fusion-style): JSON documents a tenant pushes, that its apps
 * read as request.data[name]. Every push that changes the document is a new
 * version and becomes current at once; older versions stay readable (the
 * last VANE_CONFIG_MAX_DATA_VERSIONS) and can be made current again.
 *
 *   GET  /v1/data                              → {data}  (sets, without documents)
 *   PUT  /v1/data/:name   <any JSON>           → {name, version, changed}
 *   GET  /v1/data/:name                        → {name, version, data}   (the current version)
 *
 * Versions and rollback: data-versions.ts.
 */
export async function dataRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store, settings } = ctx;

  app.get('/v1/data', { config: { access: 'read' } }, async (request) => ({ data: store.state.customDataOf(tenantOf(request)).map(setView) }));

  app.put<{ Params: { name: string }; Body: unknown }>('/v1/data/:name', { config: { access: 'admin' }, bodyLimit: 2 * 1024 * 1024 }, async (request) => {
    const tenantId = tenantOf(request);
    const { name } = request.params;
    check(NAME.test(name), 'params.name', 'must be 1-63 of a-z, 0-9 and "-"');
    check(request.body !== undefined, 'body', 'send a JSON document');
    const bytes = jsonBytes(request.body);
    if (bytes > settings.maxDataBytes) throw new VaneError('VANE_ERR_PAYLOAD_TOO_LARGE', `the document has ${bytes} bytes; the limit is ${settings.maxDataBytes}`);
    return store.exclusive(async () => {
      const set = store.state.customData(tenantId, name);
      const current = set ? store.state.customDataVersion(tenantId, name, set.currentVersion) : undefined;
      if (set && current && isDeepStrictEqual(current.data, request.body)) return { name, version: set.currentVersion, changed: false };
      const at = ctx.now();
      const actor = actorOf(request);
      const version = (set?.latestVersion ?? 0) + 1;
      const doc: CustomDataVersionPayload = { tenantId, name, version, data: request.body, bytes, createdAt: at, createdBy: actor };
      const entry: DataHistoryEntry = { action: 'push', version, previous: set?.currentVersion ?? null, at, actor };
      const payload: CustomDataPayload = {
        tenantId,
        name,
        latestVersion: version,
        currentVersion: version,
        history: [...(set?.history ?? []), entry].slice(-HISTORY_KEPT),
        createdAt: set?.createdAt ?? at,
      };
      // Versions beyond what is kept are forgotten (tombstones), never the current one.
      const pruned = store.state
        .customDataVersionsOf(tenantId, name)
        .filter((v) => v.version <= version - settings.maxDataVersions)
        .map((v) => dataVersionEntityId(tenantId, name, v.version));
      await store.write(
        [upsert(store.state, dataVersionEntityId(tenantId, name, version), ENTITY_CUSTOM_DATA_VERSION, tenantId, doc, actor, at), upsert(store.state, dataEntityId(tenantId, name), ENTITY_CUSTOM_DATA, tenantId, payload, actor, at)],
        pruned,
      );
      return { name, version, changed: true };
    });
  });

  app.get<{ Params: { name: string } }>('/v1/data/:name', { config: { access: 'read' } }, async (request) => {
    const tenantId = tenantOf(request);
    const set = ownDataSet(store.state, tenantId, request.params.name);
    const current = store.state.customDataVersion(tenantId, set.name, set.currentVersion);
    if (!current) throw new VaneError('VANE_ERR_NOT_FOUND', `data set ${set.name} has no version ${set.currentVersion}`);
    return versionView(current);
  });
}
