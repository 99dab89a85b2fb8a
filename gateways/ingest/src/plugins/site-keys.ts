import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { VaneError } from '@vane/core';
import type { IngestContext } from '../context';
import { secondsToUtcMidnight } from '../daily-usage';

/**
 * Keys, tenants and limits for the ingest routes of a scope (routes whose
 * config names a key scope). A request presents its site key in the
 * X-Vane-Key header, the `key` query parameter or a `key` field of a JSON
 * body (sendBeacon cannot set headers). Refusals:
 *   401 VANE_ERR_KEY_MISSING   no key presented
 *   401 VANE_ERR_KEY_UNKNOWN   not a key of config.changes.v1 (or its site is gone)
 *   403 VANE_ERR_KEY_REVOKED   revoked with `vane keys revoke`
 *   403 VANE_ERR_KEY_SCOPE     the key may not call this endpoint
 *   429 VANE_ERR_DAILY_LIMIT   the key's requests for the UTC day are used up (Retry-After: until midnight UTC)
 *   429 VANE_ERR_RATE_LIMITED  more than the key's requests per minute (Retry-After)
 *   503 VANE_ERR_NOT_RUNNING   configuration still loading at start
 */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-vane-key'];
  if (typeof header === 'string' && header !== '') return header;
  const query = request.query as Record<string, unknown> | undefined;
  if (query && typeof query.key === 'string' && query.key !== '') return query.key;
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.key === 'string' && body.key !== '') return body.key;
  return undefined;
}

export async function registerSiteKeys(scope: FastifyInstance, ctx: IngestContext): Promise<void> {
  scope.addHook('preValidation', async (request) => {
    const needed = request.routeOptions.config.scope;
    if (!needed) return;
    if (!ctx.config.ready) throw new VaneError('VANE_ERR_NOT_RUNNING', 'the gateway is still loading its configuration; retry shortly', { retriable: true });
    const presented = presentedKey(request);
    if (!presented) {
      throw new VaneError('VANE_ERR_KEY_MISSING', 'a site key is required: X-Vane-Key header, key query parameter or key body field', { field: 'querystring.key' });
    }
    const key = ctx.config.state.key(presented);
    if (!key) throw new VaneError('VANE_ERR_KEY_UNKNOWN', 'the site key is not known', { field: 'querystring.key' });
    if (key.revoked) throw new VaneError('VANE_ERR_KEY_REVOKED', `the site key ${key.keyPrefix}… was revoked`, { field: 'querystring.key' });
    if (!key.scopes.includes(needed)) {
      throw new VaneError('VANE_ERR_KEY_SCOPE', `the site key ${key.keyPrefix}… may not call ${needed} endpoints (scopes: ${key.scopes.join(', ') || 'none'})`, { field: 'querystring.key' });
    }
    const site = ctx.config.state.site(key.siteId);
    if (!site) throw new VaneError('VANE_ERR_KEY_UNKNOWN', `the site of key ${key.keyPrefix}… does not exist`, { field: 'querystring.key' });
    const now = ctx.now();
    const used = ctx.usage.count(now, key);
    const limit = key.dailyLimit ?? ctx.settings.dailyLimit;
    if (limit > 0 && used > limit) {
      throw new VaneError('VANE_ERR_DAILY_LIMIT', `the site key ${key.keyPrefix}… has used its ${limit} requests for today (UTC)`, { retryAfter: secondsToUtcMidnight(now) });
    }
    request.siteKey = key;
    request.site = site;
  });

  await scope.register(rateLimit, {
    global: true,
    hook: 'preValidation',
    timeWindow: 60_000,
    allowList: (request) => request.siteKey === null,
    keyGenerator: (request) => request.siteKey?.entityId ?? request.ip,
    max: (request) => request.siteKey?.rateLimitPerMinute ?? ctx.settings.rateLimitPerMinute,
    errorResponseBuilder: (_request, context) =>
      new VaneError('VANE_ERR_RATE_LIMITED', `more than ${context.max} requests per minute for this key; retry in ${Math.ceil(context.ttl / 1000)} s`, {
        retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)),
      }),
  });
}
