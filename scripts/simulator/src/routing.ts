import { providers } from './world';

/**
 * The demo routing app the simulator's browsers are steered by: the provider
 * with the best rtt p50 above an availability floor, cdn-c as fallback. Set
 * up once through the config service with the operator token, in the tenant
 * that owns the demo site's providers.
 */
const demoAppSource = `
var floor;
function init(config) { floor = config.settings.availabilityFloor; }
function onRequest(request, response) {
  var best = null;
  request.providers.forEach(function (p) {
    var s = request.scores[p.id];
    if (!s || s.availability === null || s.rttP50 === null || s.availability < floor) return;
    if (best === null || s.rttP50 < request.scores[best].rttP50) best = p.id;
  });
  if (best === null) { response.respond('cdn-c'); response.setReasonCode('no_scores'); return; }
  response.respond(best);
  response.setTTL(30);
  response.setReasonCode('best_rtt');
}
`;

/** The RUM probes of a demo provider (the same as the demo site's). */
export function demoProbes(provider: string, domain = 'demo.vane.test'): { type: string; url: string }[] {
  return [
    { type: 'rtt', url: `https://${provider}.${domain}/r20.gif` },
    { type: 'availability', url: `https://${provider}.${domain}/r20.gif` },
    { type: 'throughput', url: `https://${provider}.${domain}/r100k.bin` },
  ];
}

export interface RoutingSetup {
  configUrl: string;
  operatorToken: string;
  tenant: string;
  http?: typeof fetch;
}

async function call(setup: RoutingSetup, method: string, path: string, body?: unknown, asTenant = true): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${setup.operatorToken}` };
  if (asTenant) headers['x-vane-tenant'] = setup.tenant;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await (setup.http ?? fetch)(`${setup.configUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function expect(result: { status: number; json: Record<string, unknown> }, ok: number[], what: string): void {
  if (!ok.includes(result.status)) throw new Error(`${what}: HTTP ${result.status} ${JSON.stringify(result.json).slice(0, 300)}`);
}

/** Makes sure the demo tenant exists (it owns the demo site, its providers and the app). Idempotent. */
export async function ensureTenant(setup: RoutingSetup): Promise<void> {
  expect(await call(setup, 'POST', '/v1/tenants', { tenantId: setup.tenant, name: 'Vane demo' }, false), [200, 201, 409], 'create tenant');
}

/** Makes sure the demo app exists with a published version; returns its id. Idempotent. */
export async function setupDemoApp(setup: RoutingSetup): Promise<string> {
  await ensureTenant(setup);
  for (const id of providers) {
    const current = await call(setup, 'GET', `/v1/providers/${id}`);
    const cname = `${id}.demo-cdn.net`;
    const probes = demoProbes(id);
    if (current.status === 404) {
      expect(await call(setup, 'POST', '/v1/providers', { providerId: id, name: id, cname, probes }), [200, 201], `create provider ${id}`);
      continue;
    }
    expect(current, [200], `read provider ${id}`);
    const held = (current.json.provider ?? {}) as { cname?: string; probes?: unknown[] };
    // Add the CNAME the app answers with; keep (or restore) the RUM probes of the session plan.
    if (held.cname !== cname || !held.probes || held.probes.length === 0) {
      expect(await call(setup, 'PUT', `/v1/providers/${id}`, { cname, probes: held.probes && held.probes.length > 0 ? held.probes : probes }), [200], `update provider ${id}`);
    }
  }
  const appId = `${setup.tenant}.demo`;
  let app = await call(setup, 'GET', `/v1/apps/${appId}`);
  if (app.status === 404) {
    expect(await call(setup, 'POST', '/v1/apps', { name: 'demo', zone: 'demo-cdn.test', hostnames: ['www.demo-cdn.test'], description: 'simulator demo: best rtt above 80% availability' }), [200, 201], 'create app');
    app = await call(setup, 'GET', `/v1/apps/${appId}`);
  }
  const published = (app.json.app as { publishedVersion?: number | null } | undefined)?.publishedVersion;
  if (published) return appId;
  const version = await call(setup, 'POST', `/v1/apps/${appId}/versions`, {
    source: demoAppSource,
    providers: providers.map((id) => ({ id })),
    fallback: { provider: 'cdn-c', ttl: 20 },
    ttl: 60,
    settings: { availabilityFloor: 0.8 },
    tests: [
      {
        name: 'the fastest available provider',
        request: { scores: { 'cdn-a': { rttP50: 25, availability: 0.99 }, 'cdn-b': { rttP50: 120, availability: 0.99 } } },
        expect: { provider: 'cdn-a', reason: 'best_rtt' },
      },
      { name: 'no scores: cdn-c', request: {}, expect: { provider: 'cdn-c', reason: 'no_scores' } },
    ],
  });
  expect(version, [200, 201], 'upload app version');
  const n = (version.json.version as { version: number }).version;
  expect(await call(setup, 'POST', `/v1/apps/${appId}/publish`, { version: n }), [200, 201], 'publish app version');
  return appId;
}
