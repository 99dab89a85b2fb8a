import type { FastifyInstance } from 'fastify';
import type { ConfigContext } from '../context';

/** GET /healthz: 200 {status: "ok", config: counts} once the view has caught up with config.changes.v1, 503 {status: "starting"} before. */
export async function healthRoutes(app: FastifyInstance, opts: { ctx: ConfigContext }): Promise<void> {
  const { store } = opts.ctx;
  app.get('/healthz', async (_request, reply) =>
    reply
      .code(store.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: store.ready ? 'ok' : 'starting', config: store.state.counts() }),
  );
}
