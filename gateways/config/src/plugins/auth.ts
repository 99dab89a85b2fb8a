import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VaneError } from '@vane/core';
import type { ConfigContext } from '../context';

/**
 * Who is calling. `Authorization: Bearer <token>` carries either the
 * operators' token or a tenant's API key ("vck_…", see `vane tenants create`,
 * POST /v1/keys). A tenant key acts on its own tenant only; an operator acts
 * on every tenant, naming the one a tenant-scoped call is for in the
 * `x-vane-tenant` header. Routes declare what they need in
 * `config.access`: "operator", "admin" (change the tenant's objects; operators
 * and admin keys) or "read" (any valid key).
 */
type Access = 'operator' | 'admin' | 'read' | 'public';

interface Caller {
  kind: 'operator' | 'tenant';
  /** The tenant the call acts on (null for an operator call that names none). */
  tenantId: string | null;
  role: 'operator' | 'admin' | 'read';
  /** ConfigChange.actor of changes made by this call: "operator" or the API key's entity id. */
  actor: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

export function registerAuth(app: FastifyInstance, ctx: ConfigContext): void {
  app.decorateRequest('caller', null);
  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    if (!ctx.store.ready) throw new VaneError('VANE_ERR_NOT_READY', 'the service is still reading config.changes.v1');
    const token = bearer(request);
    if (!token) throw new VaneError('VANE_ERR_KEY_MISSING', 'send an API key: Authorization: Bearer <key>');
    const state = ctx.store.state;
    let caller: Caller;
    if (sameSecret(token, ctx.settings.operatorToken)) {
      const named = request.headers['x-vane-tenant'];
      const tenantId = typeof named === 'string' && named !== '' ? named : null;
      caller = { kind: 'operator', tenantId, role: 'operator', actor: 'operator' };
    } else {
      const key = state.apiKey(token);
      if (!key) throw new VaneError('VANE_ERR_KEY_UNKNOWN', 'this API key is not known');
      if (key.revoked) throw new VaneError('VANE_ERR_KEY_REVOKED', `API key ${key.keyPrefix}… was revoked`);
      if (state.tenant(key.tenantId)?.disabled) throw new VaneError('VANE_ERR_TENANT_DISABLED', `tenant ${key.tenantId} is disabled`);
      caller = { kind: 'tenant', tenantId: key.tenantId, role: key.role, actor: key.entityId };
    }
    if (access === 'operator' && caller.kind !== 'operator') throw new VaneError('VANE_ERR_FORBIDDEN', 'only operators may do this');
    if (access === 'admin' && caller.role === 'read') throw new VaneError('VANE_ERR_FORBIDDEN', 'this key may only read (role "read")');
    if (access !== 'operator') {
      if (caller.tenantId === null) throw new VaneError('VANE_ERR_VALIDATION', 'operators name the tenant of a tenant call in the x-vane-tenant header', { field: 'headers.x-vane-tenant' });
      if (!state.tenant(caller.tenantId)) throw new VaneError('VANE_ERR_NOT_FOUND', `no tenant ${caller.tenantId}`);
    }
    request.caller = caller;
  });
}

/** The tenant a tenant-scoped route acts on (set by the auth hook). */
export function tenantOf(request: FastifyRequest): string {
  const tenantId = request.caller?.tenantId;
  if (!tenantId) throw new VaneError('VANE_ERR_FORBIDDEN', 'no tenant for this call');
  return tenantId;
}

export function actorOf(request: FastifyRequest): string {
  return request.caller?.actor ?? 'system';
}
