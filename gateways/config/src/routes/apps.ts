import type { FastifyInstance } from 'fastify';
import { ENTITY_APP, ENTITY_APP_VERSION, appEntityId, appVersionEntityId, type App, type AppHistoryEntry, type AppPayload, type AppVersion, type ConfigState } from '@vane/topics';
import { VaneError } from '@vane/core';
import { appVersionBodySchema, checkVersionInput, refusal, testVersion, versionPayload, type AppVersionInput } from '../app-version-input';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { NAME, check, checkAppHostname, checkHostname, inZone, remove, upsert } from '../validation';

/**
 * Routing apps and their versions. An app's id is "<tenantId>.<name>". An
 * uploaded version is compiled and its test cases run before it is written;
 * it answers nothing until it is published. Publishing and rolling back are
 * explicit and recorded in the app's history; every version stays readable.
 *
 *   GET    /v1/apps                                   → {apps}
 *   POST   /v1/apps  {name, description?, zone?, hostnames?}     → 201 {app}
 *   GET    /v1/apps/:appId                            → {app}
 *   PATCH  /v1/apps/:appId  {description?, zone?, hostnames?}    → {app}
 *   DELETE /v1/apps/:appId                            → {appId, deleted: true}
 *   POST   /v1/apps/:appId/test      {source, providers, fallback, ttl?, settings?, data?, tests}  → {passed, cases, failing}  (writes nothing)
 *   POST   /v1/apps/:appId/versions  (same body)      → 201 {version, tests} | 422 VANE_ERR_APP_TEST_FAILED {failing, cases}
 *   GET    /v1/apps/:appId/versions                   → {versions}   (without source)
 *   GET    /v1/apps/:appId/versions/:version          → {version}    (with source and tests)
 *   POST   /v1/apps/:appId/publish   {version}        → {app}
 *   POST   /v1/apps/:appId/rollback  {version?}       → {app}        (default: the version published before the current one)
 */

const HISTORY_KEPT = 100;

export function appView(app: App): Record<string, unknown> {
  return {
    appId: app.appId,
    name: app.name,
    description: app.description ?? null,
    zone: app.zone ?? null,
    hostnames: app.hostnames,
    latestVersion: app.latestVersion,
    publishedVersion: app.publishedVersion,
    history: app.history,
    createdAt: app.createdAt,
  };
}

function versionSummary(v: AppVersion): Record<string, unknown> {
  return {
    version: v.version,
    sourceSha256: v.sourceSha256,
    providers: v.providers.map((p) => p.id),
    fallback: v.fallback,
    ttl: v.ttl,
    data: v.data,
    tests: v.tests.length,
    testReport: v.testReport ?? null,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
  };
}

function versionView(v: AppVersion): Record<string, unknown> {
  return { ...versionSummary(v), source: v.source, providers: v.providers, settings: v.settings, tests: v.tests };
}

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
  const { store, settings } = ctx;

  function own(tenantId: string, appId: string): App {
    const held = store.state.app(appId);
    if (!held || held.tenantId !== tenantId) throw new VaneError('VANE_ERR_NOT_FOUND', `no app ${appId}`);
    return held;
  }

  function payloadOf(held: App): AppPayload {
    const { entityVersion: _v, ...payload } = held;
    return payload;
  }

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

  app.get<{ Params: { appId: string } }>('/v1/apps/:appId', { config: { access: 'read' } }, async (request) => ({ app: appView(own(tenantOf(request), request.params.appId)) }));

  app.patch<{ Params: { appId: string }; Body: { description?: string; zone?: string | null; hostnames?: string[] } }>(
    '/v1/apps/:appId',
    { config: { access: 'admin' }, schema: { body: { type: 'object', additionalProperties: false, properties: dnsProperties } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = own(tenantId, request.params.appId);
        const { zone, hostnames } = dns(request.body, held);
        checkDnsClaims(store.state, tenantId, held.appId, zone, hostnames);
        const payload: AppPayload = { ...payloadOf(held), description: request.body.description ?? held.description, zone, hostnames };
        await store.write([upsert(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, payload, actorOf(request), ctx.now())]);
        return { app: appView(store.state.app(held.appId)!) };
      }),
  );

  app.delete<{ Params: { appId: string } }>('/v1/apps/:appId', { config: { access: 'admin' } }, async (request) =>
    store.exclusive(async () => {
      const tenantId = tenantOf(request);
      const held = own(tenantId, request.params.appId);
      const at = ctx.now();
      const actor = actorOf(request);
      // The versions go too (their ids would otherwise stay taken by a deleted app's name).
      const changes = store.state.appVersionsOf(held.appId).map((v) => remove(store.state, appVersionEntityId(held.appId, v.version), ENTITY_APP_VERSION, tenantId, actor, at));
      changes.push(remove(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, actor, at));
      await store.write(changes);
      return { appId: held.appId, deleted: true };
    }),
  );

  app.post<{ Params: { appId: string }; Body: AppVersionInput }>(
    '/v1/apps/:appId/test',
    { config: { access: 'read' }, bodyLimit: 2 * 1024 * 1024, schema: { body: appVersionBodySchema } },
    async (request) => {
      const tenantId = tenantOf(request);
      const held = own(tenantId, request.params.appId);
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
      own(tenantId, request.params.appId);
      const input = checkVersionInput(store.state, tenantId, request.body, settings);
      // Tests run outside the write lock; the version number is taken under it.
      const report = await testVersion(store.state, tenantId, request.params.appId, own(tenantId, request.params.appId).latestVersion + 1, input, settings.sandbox);
      if (!report.passed) throw refusal(report);
      return store.exclusive(async () => {
        const held = own(tenantId, request.params.appId);
        const version = held.latestVersion + 1;
        const at = ctx.now();
        const actor = actorOf(request);
        const payload = versionPayload(held.appId, tenantId, version, input, report, actor, at);
        await store.write([
          upsert(store.state, appVersionEntityId(held.appId, version), ENTITY_APP_VERSION, tenantId, payload, actor, at),
          upsert(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, { ...payloadOf(held), latestVersion: version }, actor, at),
        ]);
        return reply.code(201).send({ version: versionSummary(store.state.appVersion(held.appId, version)!), tests: report.cases.map((c) => ({ name: c.name, passed: c.passed })) });
      });
    },
  );

  app.get<{ Params: { appId: string } }>('/v1/apps/:appId/versions', { config: { access: 'read' } }, async (request) => {
    const held = own(tenantOf(request), request.params.appId);
    return { versions: store.state.appVersionsOf(held.appId).map(versionSummary) };
  });

  app.get<{ Params: { appId: string; version: string } }>('/v1/apps/:appId/versions/:version', { config: { access: 'read' } }, async (request) => {
    const held = own(tenantOf(request), request.params.appId);
    const version = store.state.appVersion(held.appId, Number(request.params.version));
    if (!version) throw new VaneError('VANE_ERR_NOT_FOUND', `app ${held.appId} has no version ${request.params.version}`);
    return { version: versionView(version) };
  });

  async function setPublished(tenantId: string, held: App, version: number, action: AppHistoryEntry['action'], actor: string): Promise<App> {
    if (!store.state.appVersion(held.appId, version)) throw new VaneError('VANE_ERR_NOT_FOUND', `app ${held.appId} has no version ${version}`);
    const at = ctx.now();
    const entry: AppHistoryEntry = { action, version, previous: held.publishedVersion, at, actor };
    const payload: AppPayload = { ...payloadOf(held), publishedVersion: version, history: [...held.history, entry].slice(-HISTORY_KEPT) };
    await store.write([upsert(store.state, appEntityId(held.appId), ENTITY_APP, tenantId, payload, actor, at)]);
    return store.state.app(held.appId)!;
  }

  app.post<{ Params: { appId: string }; Body: { version: number } }>(
    '/v1/apps/:appId/publish',
    { config: { access: 'admin' }, schema: { body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = own(tenantId, request.params.appId);
        return { app: appView(await setPublished(tenantId, held, request.body.version, 'publish', actorOf(request))) };
      }),
  );

  app.post<{ Params: { appId: string }; Body: { version?: number } | undefined }>(
    '/v1/apps/:appId/rollback',
    { config: { access: 'admin' }, schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = own(tenantId, request.params.appId);
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
