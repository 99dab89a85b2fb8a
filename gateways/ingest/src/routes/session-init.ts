import type { FastifyInstance } from 'fastify';
import type { ProbeType } from '@vane/config-model';
import type { IngestContext } from '../context';
import { newEventId } from '../event-id';

/**
 * GET /api/v1/session/init?key=… → the RUM measurement plan for this page load:
 *   { sessionId, token, expiresAt, measurementsUrl, probes: [{provider, type, url}] }
 * Probes come from the site's `providers` and each provider's probe URLs
 * (config.changes.v1). `token` (signed, valid for VANE_INGEST_SESSION_TTL_SECONDS)
 * must accompany the measurements of this plan.
 */
interface PlanProbe {
  provider: string;
  type: ProbeType;
  url: string;
}

export interface SessionPlan {
  sessionId: string;
  token: string;
  expiresAt: number;
  measurementsUrl: string;
  probes: PlanProbe[];
}

export async function sessionInitRoutes(app: FastifyInstance, opts: { ctx: IngestContext }): Promise<void> {
  const { ctx } = opts;
  app.get(
    '/api/v1/session/init',
    {
      schema: { querystring: { type: 'object', properties: { key: { type: 'string' } } } },
      config: { scope: 'measurements', metricsName: 'session_init' },
    },
    async (request, reply) => {
      const site = request.site!;
      const probes: PlanProbe[] = [];
      const providers: string[] = [];
      for (const id of site.providers ?? []) {
        const provider = ctx.config.state.provider(id);
        if (!provider || provider.probes.length === 0) continue;
        providers.push(id);
        for (const probe of provider.probes) probes.push({ provider: id, type: probe.type, url: probe.url });
      }
      const now = ctx.now();
      const sessionId = newEventId();
      const expiresAt = now + ctx.settings.sessionTtlSeconds * 1000;
      const token = ctx.tokens.sign({ sid: sessionId, site: site.siteId, providers, iat: now, exp: expiresAt });
      const plan: SessionPlan = { sessionId, token, expiresAt, measurementsUrl: '/api/v1/measurements', probes };
      return reply.header('cache-control', 'no-store').send(plan);
    },
  );
}
