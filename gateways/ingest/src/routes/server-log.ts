import type { FastifyInstance } from 'fastify';
import { logFormats, type LogFormat } from '../access-log';
import type { IngestContext } from '../context';
import { newEventId } from '../event-id';
import { receiveLogUpload } from '../log-upload';

/**
 * POST /api/v1/beacon/log?format=nginx_combined|apache_combined|apache_common[&uploadId=…]
 * with the site key in X-Vane-Key (or ?key=) → ingest.serverlogs.v1.
 *
 * The body is an access log, plain or gzip (detected from its first bytes),
 * read as a stream (see log-upload.ts). The answer (200) is the upload's
 * summary; if the spool fills up midway the answer is 503 with the same
 * summary. A refused upload closes the connection (the rest of the body is
 * not read).
 */
export async function serverLogRoutes(app: FastifyInstance, opts: { ctx: IngestContext }): Promise<void> {
  const { ctx } = opts;
  // The body is read by the handler as a stream, whatever its type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.post<{ Querystring: { key?: string; format: LogFormat; uploadId?: string } }>(
    '/api/v1/beacon/log',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            key: { type: 'string' },
            format: { enum: logFormats, default: 'nginx_combined' },
            uploadId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
          },
        },
      },
      config: { scope: 'logs', metricsName: 'beacon_log' },
    },
    async (request, reply) => {
      const upload = { site: request.site!, format: request.query.format, uploadId: request.query.uploadId ?? newEventId(), receivedAt: ctx.now() };
      try {
        return reply.code(200).send(await receiveLogUpload(ctx, upload, request.raw));
      } catch (error) {
        reply.header('connection', 'close');
        throw error;
      }
    },
  );
}
