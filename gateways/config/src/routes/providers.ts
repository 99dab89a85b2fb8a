import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ENTITY_PROVIDER, probeTypes, type ConfigState, type Provider, type ProviderPayload } from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';
import { actorOf, tenantOf } from '../plugins/auth';
import { PROVIDER_ID, check, checkAddresses, checkHostname, checkUrl, remove, upsert } from '../validation';

/**
 * Providers: the CDNs/clouds apps choose between. A provider's id is global
 * (it keys scores.v1 and RUM measurements); it belongs to the tenant that
 * created it. Operators may mark a provider `public`: every tenant may then
 * use it in sites and apps (community measurements), only its owner may
 * change it. Creating an id another tenant holds answers 409.
 *
 *   GET    /v1/providers                    → {providers}   (own and public)
 *   POST   /v1/providers  {providerId, name?, cname?, addresses?, url?, probes?, public?}  → 201 {provider}
 *   GET    /v1/providers/:providerId        → {provider}
 *   PUT    /v1/providers/:providerId  {name?, cname?, addresses?, url?, probes?, public?}  → {provider}
 *   DELETE /v1/providers/:providerId        → {providerId, deleted: true}
 */

/** A provider the tenant may use: its own or a public one. */
export function visibleProvider(state: ConfigState, tenantId: string, providerId: string): Provider | undefined {
  const provider = state.provider(providerId);
  return provider && (provider.tenantId === tenantId || provider.public === true) ? provider : undefined;
}

function providerView(p: Provider, tenantId: string): Record<string, unknown> {
  return {
    providerId: p.providerId,
    name: p.name ?? null,
    cname: p.cname ?? null,
    addresses: p.addresses ?? [],
    url: p.url ?? null,
    probes: p.probes,
    public: p.public === true,
    owned: p.tenantId === tenantId,
  };
}

interface ProviderBody {
  providerId?: string;
  name?: string;
  cname?: string;
  addresses?: string[];
  url?: string;
  probes?: { type: string; url: string }[];
  public?: boolean;
}

const bodyProperties = {
  name: { type: 'string', maxLength: 200 },
  cname: { type: 'string' },
  addresses: { type: 'array', items: { type: 'string' } },
  url: { type: 'string' },
  probes: {
    type: 'array',
    maxItems: 20,
    items: { type: 'object', required: ['type', 'url'], additionalProperties: false, properties: { type: { type: 'string', enum: [...probeTypes] }, url: { type: 'string' } } },
  },
  public: { type: 'boolean' },
};

function payloadOf(providerId: string, body: ProviderBody, request: FastifyRequest, held?: Provider): ProviderPayload {
  if (body.public !== undefined && request.caller?.kind !== 'operator' && body.public !== (held?.public === true)) {
    throw new VaneError('VANE_ERR_FORBIDDEN', 'only operators may make a provider public or private');
  }
  const payload: ProviderPayload = {
    providerId,
    name: body.name ?? held?.name,
    probes: body.probes ? body.probes.map((p, i) => ({ type: p.type as ProviderPayload['probes'][number]['type'], url: checkUrl(p.url, `body.probes.${i}.url`) })) : (held?.probes ?? []),
  };
  const cname = body.cname !== undefined ? checkHostname(body.cname, 'body.cname') : held?.cname;
  const addresses = body.addresses !== undefined ? checkAddresses(body.addresses, 'body.addresses') : held?.addresses;
  const url = body.url !== undefined ? checkUrl(body.url, 'body.url') : held?.url;
  if (cname) payload.cname = cname;
  if (addresses && addresses.length > 0) payload.addresses = addresses;
  if (url) payload.url = url;
  if (body.public ?? held?.public) payload.public = true;
  return payload;
}

export async function providerRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { ctx } = opts;
  const { store } = ctx;

  function own(tenantId: string, providerId: string): Provider {
    const provider = visibleProvider(store.state, tenantId, providerId);
    if (!provider) throw new VaneError('VANE_ERR_NOT_FOUND', `no provider ${providerId}`);
    if (provider.tenantId !== tenantId) throw new VaneError('VANE_ERR_FORBIDDEN', `provider ${providerId} is public; only its owner may change it`);
    return provider;
  }

  app.get('/v1/providers', { config: { access: 'read' } }, async (request) => {
    const tenantId = tenantOf(request);
    return { providers: store.state.allProviders().filter((p) => p.tenantId === tenantId || p.public === true).map((p) => providerView(p, tenantId)) };
  });

  app.post<{ Body: ProviderBody & { providerId: string } }>(
    '/v1/providers',
    { config: { access: 'admin' }, schema: { body: { type: 'object', required: ['providerId'], additionalProperties: false, properties: { providerId: { type: 'string' }, ...bodyProperties } } } },
    async (request, reply) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const { providerId } = request.body;
        check(PROVIDER_ID.test(providerId), 'body.providerId', 'must be 1-64 of A-Z, a-z, 0-9, ".", "_", "-"');
        const held = store.state.entity(providerId);
        if (held && held.payload !== null) {
          // Whether another tenant holds it or it is a site/key id: the id is simply not available.
          throw new VaneError('VANE_ERR_CONFLICT', held.tenantId === tenantId && held.entityType === ENTITY_PROVIDER ? `provider ${providerId} exists (PUT to change it)` : `provider id ${providerId} is not available`);
        }
        const payload = payloadOf(providerId, request.body, request);
        await store.write([upsert(store.state, providerId, ENTITY_PROVIDER, tenantId, payload, actorOf(request), ctx.now())]);
        return reply.code(201).send({ provider: providerView(store.state.provider(providerId)!, tenantId) });
      }),
  );

  app.get<{ Params: { providerId: string } }>('/v1/providers/:providerId', { config: { access: 'read' } }, async (request) => {
    const tenantId = tenantOf(request);
    const provider = visibleProvider(store.state, tenantId, request.params.providerId);
    if (!provider) throw new VaneError('VANE_ERR_NOT_FOUND', `no provider ${request.params.providerId}`);
    return { provider: providerView(provider, tenantId) };
  });

  app.put<{ Params: { providerId: string }; Body: ProviderBody }>(
    '/v1/providers/:providerId',
    { config: { access: 'admin' }, schema: { body: { type: 'object', additionalProperties: false, properties: bodyProperties } } },
    async (request) =>
      store.exclusive(async () => {
        const tenantId = tenantOf(request);
        const held = own(tenantId, request.params.providerId);
        const payload = payloadOf(held.providerId, request.body, request, held);
        await store.write([upsert(store.state, held.providerId, ENTITY_PROVIDER, tenantId, payload, actorOf(request), ctx.now())]);
        return { provider: providerView(store.state.provider(held.providerId)!, tenantId) };
      }),
  );

  app.delete<{ Params: { providerId: string } }>('/v1/providers/:providerId', { config: { access: 'admin' } }, async (request) =>
    store.exclusive(async () => {
      const tenantId = tenantOf(request);
      const held = own(tenantId, request.params.providerId);
      const users = store.state.allApps().filter((a) => a.publishedVersion !== null && store.state.appVersion(a.appId, a.publishedVersion)?.providers.some((b) => b.id === held.providerId));
      if (users.length > 0) {
        const mine = users.filter((a) => a.tenantId === tenantId).map((a) => a.appId);
        throw new VaneError('VANE_ERR_CONFLICT', `provider ${held.providerId} is used by published apps${mine.length ? ` (${mine.join(', ')})` : ' of other tenants'}; publish versions without it first`);
      }
      await store.write([remove(store.state, held.providerId, ENTITY_PROVIDER, tenantId, actorOf(request), ctx.now())]);
      return { providerId: held.providerId, deleted: true };
    }),
  );
}
