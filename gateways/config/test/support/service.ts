import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { build } from '../../src/app';
import { MemoryConfigStore, type ConfigStore } from '../../src/config-store';

const OPERATOR = 'operator-token-for-tests-0123456789';

/** The best-rtt app of the README, with its test cases. */
const appSource = `
function onRequest(request, response) {
  var floor = request.settings.availabilityFloor;
  var best = null;
  request.providers.forEach(function (p) {
    var s = request.scores[p.id];
    if (!s || s.availability === null || s.availability < floor || s.rttP50 === null) return;
    if (best === null || s.rttP50 < request.scores[best].rttP50) best = p.id;
  });
  if (best === null) { response.respond('origin'); response.setReasonCode('no_scores'); return; }
  response.respond(best);
  response.setTTL(30);
  response.setReasonCode('best_rtt');
}`;

export const versionBody = {
  source: appSource,
  providers: [{ id: 'cdn-a' }, { id: 'cdn-b' }, { id: 'origin' }],
  fallback: { provider: 'origin', ttl: 20 },
  ttl: 60,
  settings: { availabilityFloor: 0.8 },
  tests: [
    {
      name: 'fastest available wins',
      request: { client: { country: 'DE', continent: 'EU' }, scores: { 'cdn-a': { rttP50: 40, availability: 0.99 }, 'cdn-b': { rttP50: 25, availability: 0.97 } } },
      expect: { provider: 'cdn-b', ttl: 30, reason: 'best_rtt' },
    },
    { name: 'no scores: origin', request: {}, expect: { provider: 'origin', reason: 'no_scores' } },
  ],
};

export class Api {
  constructor(
    readonly app: FastifyInstance,
    readonly token: string,
    private readonly tenant?: string,
  ) {}

  as(token: string, tenant?: string): Api {
    return new Api(this.app, token, tenant);
  }

  async call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse & { body: string; data: Record<string, unknown> }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (this.tenant) headers['x-vane-tenant'] = this.tenant;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.app.inject({ method, url, headers, payload: body === undefined ? undefined : JSON.stringify(body) });
    let data: Record<string, unknown> = {};
    try {
      data = res.json() as Record<string, unknown>;
    } catch {
      data = {};
    }
    return Object.assign(res, { data });
  }
}

export async function service(store: ConfigStore = new MemoryConfigStore()): Promise<{ app: FastifyInstance; operator: Api; store: ConfigStore }> {
  const app = await build({ settings: { operatorToken: OPERATOR, sandbox: { timeoutMs: 50, memoryMb: 16 } }, store });
  return { app, operator: new Api(app, OPERATOR), store };
}

/** Creates a tenant with providers cdn-a, cdn-b, origin (ids prefixed by `prefix`) and returns its admin API. */
export async function tenantWithProviders(operator: Api, tenantId: string, prefix = ''): Promise<Api> {
  const created = await operator.call('POST', '/v1/tenants', { tenantId, name: tenantId.toUpperCase() });
  if (created.statusCode !== 201) throw new Error(`tenant: ${created.body}`);
  const api = operator.as((created.data.key as { key: string }).key);
  for (const [id, extra] of [
    ['cdn-a', { cname: `${tenantId}.cdn-a.net` }],
    ['cdn-b', { cname: `${tenantId}.cdn-b.net`, addresses: ['192.0.2.10', '2001:db8::10'] }],
    ['origin', { cname: `origin.${tenantId}.example`, url: `https://origin.${tenantId}.example` }],
  ] as const) {
    const res = await api.call('POST', '/v1/providers', { providerId: `${prefix}${id}`, name: id, ...extra });
    if (res.statusCode !== 201) throw new Error(`provider: ${res.body}`);
  }
  return api;
}
