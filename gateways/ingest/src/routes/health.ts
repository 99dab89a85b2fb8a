import type { FastifyInstance } from 'fastify';
import type { IngestContext } from '../context';

/**
 * GET /healthz: 200 {status: "ok" | "spooling", …} while the gateway accepts
 * records (spooling: Kafka is unreachable and records go to the local spool);
 * 503 {status: "starting"} until the configuration is loaded.
 * GET /metrics: Prometheus text (see metrics.ts).
 */
export async function healthRoutes(app: FastifyInstance, opts: { ctx: IngestContext }): Promise<void> {
  const { ctx } = opts;
  app.get('/healthz', { config: { metricsName: 'healthz' } }, async (_request, reply) => {
    const sink = ctx.sink.stats();
    const status = !ctx.config.ready ? 'starting' : sink.mode === 'spool' ? 'spooling' : 'ok';
    return reply.code(ctx.config.ready ? 200 : 503).header('cache-control', 'no-store').send({
      status,
      config: ctx.config.state.counts(),
      sink: { mode: sink.mode, spoolBytes: sink.spoolBytes, spoolMaxBytes: sink.spoolMaxBytes },
    });
  });
  app.get('/metrics', { config: { metricsName: 'metrics' } }, async (_request, reply) =>
    reply.header('content-type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  );
}
