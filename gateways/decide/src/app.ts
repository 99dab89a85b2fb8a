import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { AppHost, DecideOutcome, DecisionResult, DecisionSink } from '@vane/apps';
import { VaneError } from '@vane/core';
import { registerVaneErrors } from '@vane/core/http';
import { networkOf, type GeoLookup } from '@vane/network';
import ipaddr from 'ipaddr.js';
import { answerUrl, decisionRecord } from './decision-record';
import { resolveSettings, type DecideSettings } from './options';

/**
 * The HTTP decision gateway as a Fastify instance, not listening (server.ts
 * listens):
 *
 *   GET /v1/decide/:appId[?ip=&path=&hostname=&redirect=1]
 *       200 {decisionId, app, version, provider, url, cname, addresses, ttl, reason, fallback, ranking, client}
 *       with redirect=1: 302 Location: url
 *   GET /v1/redirect/:appId/<path>      302 Location: <provider URL>/<path>
 *   GET /healthz                        200 {status, apps} once config and scores are loaded, else 503
 *
 * Answers carry Cache-Control: private, max-age=<ttl>. Every decision is
 * pushed to the decision sink (decisions.http.v1), never awaited. Refusals
 * are @vane/core/http error answers: 404 VANE_ERR_NOT_FOUND (no such app),
 * 404 VANE_ERR_APP_NOT_PUBLISHED, 403 VANE_ERR_TENANT_DISABLED, 400
 * VANE_ERR_VALIDATION (field querystring.ip).
 */
export interface BuildOptions {
  settings?: Partial<Omit<DecideSettings, 'sandbox'>>;
  host: AppHost;
  geo: GeoLookup;
  sink: DecisionSink<'decisions.http.v1'>;
  /** False until config and scores are loaded (healthz answers 503 meanwhile). */
  ready?: () => boolean;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
}

interface DecideQuery {
  ip?: string;
  path?: string;
  hostname?: string;
  redirect?: string;
}

const nullableNumber = { type: ['number', 'null'] };
const nullableString = { type: ['string', 'null'] };

/** The JSON answer (serialised with fast-json-stringify from this schema). */
const answerSchema = {
  type: 'object',
  properties: {
    decisionId: { type: 'string' },
    app: { type: 'string' },
    version: { type: 'integer' },
    provider: nullableString,
    url: nullableString,
    cname: nullableString,
    addresses: { type: 'array', items: { type: 'string' } },
    ttl: { type: 'integer' },
    reason: { type: 'string' },
    fallback: { type: 'boolean' },
    ranking: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          provider: { type: 'string' },
          score: {
            type: ['object', 'null'],
            properties: {
              level: { type: 'string' },
              locationKey: { type: 'string' },
              rttP50: nullableNumber,
              rttP90: nullableNumber,
              availability: nullableNumber,
              throughputP50: nullableNumber,
              samples: { type: 'number' },
              confidence: { type: 'number' },
              computedAt: { type: 'number' },
            },
          },
        },
      },
    },
    client: {
      type: 'object',
      properties: { ip: { type: 'string' }, country: nullableString, continent: nullableString, region: nullableString, asn: nullableNumber, asnOrg: nullableString },
    },
  },
} as const;

const refusals: Record<Exclude<DecideOutcome, { ok: true }>['code'], (appId: string) => string> = {
  VANE_ERR_NOT_FOUND: (appId) => `no app ${appId}`,
  VANE_ERR_APP_NOT_PUBLISHED: (appId) => `app ${appId} has no published version`,
  VANE_ERR_TENANT_DISABLED: (appId) => `the tenant of app ${appId} is disabled`,
};

export async function build(options: BuildOptions): Promise<FastifyInstance> {
  const settings = resolveSettings(options.settings);
  const { host, geo, sink } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: settings.trustedProxies.length > 0 ? settings.trustedProxies : false,
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerVaneErrors(app);

  async function answer(reply: FastifyReply, appId: string, clientIp: string, hostname: string, path: string, redirect: boolean): Promise<FastifyReply> {
    const started = process.hrtime.bigint();
    const at = now();
    const client = networkOf(geo, clientIp);
    const outcome = await host.decide(appId, { protocol: 'http', hostname, qtype: null, path, client, resolver: null, ecs: null, now: at });
    if (!outcome.ok) throw new VaneError(outcome.code, refusals[outcome.code](appId));
    const result: DecisionResult = outcome.result;
    const { decision } = result;
    const url = answerUrl(decision, path);
    const micros = Number((process.hrtime.bigint() - started) / 1000n);
    const decisionId = randomUUID();
    sink.push(appId, decisionRecord(decisionId, at, result, hostname, path, client, url, redirect, micros));
    if (!url) throw new VaneError('VANE_ERR_INTERNAL', `app ${appId} and its fallback named nothing to send the client to`);
    reply.header('cache-control', `private, max-age=${decision.ttl}`).header('x-vane-decision', decisionId).header('x-vane-provider', decision.provider ?? '').header('x-vane-reason', decision.reason);
    if (redirect) return reply.code(302).header('location', url).send();
    return reply.send({
      decisionId,
      app: appId,
      version: result.version,
      provider: decision.provider,
      url,
      cname: decision.cname,
      addresses: decision.addresses,
      ttl: decision.ttl,
      reason: decision.reason,
      fallback: decision.fallback,
      ranking: decision.ranking.map((provider) => ({ provider, score: result.scores[provider] ?? null })),
      client: { ip: client.truncatedIp, country: client.country, continent: client.continent, region: client.region, asn: client.asn, asnOrg: client.asnOrg },
    });
  }

  function clientIpOf(ip: string | undefined, fallback: string): string | null {
    if (ip === undefined || ip === '') return fallback;
    if (!settings.allowIpParam || !ipaddr.isValid(ip)) return null;
    return ip;
  }

  function hostnameOf(raw: string | undefined, hostHeader: string | undefined): string {
    const name = (raw ?? hostHeader ?? '').toLowerCase();
    return name.startsWith('[') ? name.slice(0, name.indexOf(']') + 1) : name.replace(/:\d+$/, '');
  }

  app.get<{ Params: { appId: string }; Querystring: DecideQuery }>(
    '/v1/decide/:appId',
    {
      schema: {
        querystring: { type: 'object', properties: { ip: { type: 'string' }, path: { type: 'string', maxLength: 2048 }, hostname: { type: 'string', maxLength: 253 }, redirect: { type: 'string' } } },
        response: { 200: answerSchema },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const ip = clientIpOf(q.ip, request.ip);
      if (ip === null) throw new VaneError('VANE_ERR_VALIDATION', settings.allowIpParam ? `querystring.ip: ${q.ip} is not an IP address` : 'querystring.ip is not accepted here', { field: 'querystring.ip' });
      const path = q.path === undefined ? '/' : q.path.startsWith('/') ? q.path : `/${q.path}`;
      return answer(reply, request.params.appId, ip, hostnameOf(q.hostname, request.headers.host), path, q.redirect === '1' || q.redirect === 'true');
    },
  );

  app.get<{ Params: { appId: string; '*': string }; Querystring: DecideQuery }>('/v1/redirect/:appId/*', async (request, reply) => {
    const ip = clientIpOf(request.query.ip, request.ip);
    if (ip === null) throw new VaneError('VANE_ERR_VALIDATION', `querystring.ip: ${request.query.ip} is not an IP address`, { field: 'querystring.ip' });
    return answer(reply, request.params.appId, ip, hostnameOf(request.query.hostname, request.headers.host), `/${request.params['*']}`, true);
  });

  app.get('/healthz', async (_request, reply) => {
    const ready = options.ready?.() ?? true;
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ok' : 'starting', apps: host.status().map((s) => ({ appId: s.appId, version: s.version, loaded: s.loaded, loadError: s.loadError, quarantined: s.sandbox?.quarantinedUntil !== null && s.sandbox !== null })) });
  });

  return app;
}
