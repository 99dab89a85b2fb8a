import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * GET /vane.js: the browser tag (gateways/ingest/public/vane.js). Include it as
 *   <script defer src="https://<gateway>/vane.js" data-key="vk_…"></script>
 * It sends the pageview and web vitals with sendBeacon, fetches the session
 * plan and runs its RUM probes, and posts their results.
 */
export const scriptPath = join(__dirname, '..', '..', 'public', 'vane.js');

export async function scriptRoutes(app: FastifyInstance): Promise<void> {
  const source = readFileSync(scriptPath);
  app.get('/vane.js', { config: { metricsName: 'script' } }, async (_request, reply) =>
    reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .send(source),
  );
}
