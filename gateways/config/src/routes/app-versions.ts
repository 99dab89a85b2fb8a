import type { FastifyInstance } from 'fastify';
import { ENTITY_APP, ENTITY_APP_VERSION, appEntityId, appVersionEntityId } from '@vane/config-model';
import { VaneError } from '@vane/core';
import { appVersionBodySchema, checkVersionInput, refusal, testVersion, versionPayload, type AppVersionInput } from '../app-version-input';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { upsert } from '../validation';
import { appPayloadOf, ownApp, versionSummary, versionView } from './app-resource';

/**
 * Versions of a routing app. An uploaded version is compiled and its test
 * cases run before it is written; it answers nothing until it is published
 * (app-publishing.ts). Every version stays readable.
 *
 *   POST   /v1/apps/:appId/test      {source, providers, fallback, ttl?, settings?, data?, tests}  → {passed, cases, failing}  (writes nothing)
 *   POST   /v1/apps/:appId/versions  (same body)      → 201 {version, tests} | 422 VANE_ERR_APP_TEST_FAILED {failing, cases}
 *   GET    /v1/apps/:appId/versions                   → {versions}   (without source)
 *   GET    /v1/apps/:appId/versions/:version          → {version}    (with source and tests)
 */
export async function appVersionRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store, settings } = ctx;

  app.post<{ Params: { appId: string }; Body: AppVersionInput }>(
    '/v1/apps/:appId/test',
    { config: { access: 'read' }, bodyLimit: 2 * 1024 * 1024, schema: { body: appVersionBodySchema } },
    async (request) => {
      const tenantId = tenantOf(request);
      const held = ownApp(store.state, tenantId, request.params.appId);
      const input = checkVersionInput(store.state, tenantId, request.body, settings);
      const report = await testVersion(store.state, tenantId, held.appId, held.latestVersion + 1, input, settings.sandbox);
      return { passed: report.passed, failing: report.failing, cases: report.cases, durationMs: report.durationMs };
    },
  );

  app.post<{ Params: { appId: string }; Body: AppVersionInput }>(
    '/v1/apps/:appId/versions',
    { config: { access: 'admin' }, bodyLimit: 2 * 1024 * 1024, schema: { body: appVersionBodySchema } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      ownApp(store.state, tenantId, request.params.appId);
      const input = checkVersionInput(store.state, tenantId, request.body, settings);
      // Tests run outside the write lock; the version number is taken under it.
      const report = await testVersion(store.state, tenantId, request.params.appId, ownApp(store.state, tenantId, request.params.appId).latestVersion + 1, input, settings.sandbox);
      if (!report.passed) throw refusal(report);
      return store.exclusive(async () => {
        const held = ownApp(store.state, tenantId, request.params.appId);
        const version = held.latestVersion + 1;
        const at = ctx.now();
        const actor = actorOf(request);
        const payload = versionPayload(held.appId, tenantId, version, input, report, actor, at);
        await store.write([
          upsert(store.state, appVersionEntityId(held.appId, version), ENTITY_APP_VERSION, tenantId, payload, actor, at),
          upsert(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, { ...appPayloadOf(held), latestVersion: version }, actor, at),
        ]);
        return reply.code(201).send({ version: versionSummary(store.state.appVersion(held.appId, version)!), tests: report.cases.map((c) => ({ name: c.name, passed: c.passed })) });
      });
    },
  );

  app.get<{ Params: { appId: string } }>('/v1/apps/:appId/versions', { config: { access: 'read' } }, async (request) => {
    const held = ownApp(store.state, tenantOf(request), request.params.appId);
    return { versions: store.state.appVersionsOf(held.appId).map(versionSummary) };
  });

  app.get<{ Params: { appId: string; version: string } }>('/v1/apps/:appId/versions/:version', { config: { access: 'read' } }, async (request) => {
    const held = ownApp(store.state, tenantOf(request), request.params.appId);
    const version = store.state.appVersion(held.appId, Number(request.params.version));
    if (!version) throw new VaneError('VANE_ERR_NOT_FOUND', `app ${held.appId} has no version ${request.params.version}`);
    return { version: versionView(version) };
  });
}
