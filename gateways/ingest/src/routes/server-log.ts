import type { IncomingMessage } from 'node:http';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import type { VaneErrorCode } from '@vane/infra';
import { truncateIp } from '@vane/network';
import type { ServerLogLine } from '@vane/schemas';
import type { IngestContext } from '../context';
import { isRejected, logFormats, parseLogLine, type LogFormat } from '../access-log';
import { derivedEventId, newEventId } from '../event-id';
import { splitLines } from '../line-splitter';
import { FieldError } from '../plugins/errors';
import type { SpooledRecord } from '../spool';
import { parseUserAgent } from '../user-agent';

/**
 * POST /api/v1/beacon/log?format=nginx_combined|apache_combined|apache_common[&uploadId=…]
 * with the site key in X-Vane-Key (or ?key=) → ingest.serverlogs.v1 (key: site id).
 *
 * The body is an access log, plain or gzip (detected from its first bytes),
 * read as a stream: it is parsed line by line and handed to Kafka in chunks,
 * so an upload of any size uses bounded memory. Event ids derive from
 * (site, uploadId, line number): re-sending an upload with the same uploadId
 * yields the same ids. The answer (200) summarises the upload:
 *   { uploadId, format, lines, accepted, rejected,
 *     rejectedByReason: { <VANE_ERR_LOG_*>: { count, firstLines: [n, …] } } }
 * If the spool fills up midway the answer is 503 with the same summary
 * (`accepted` lines are kept; resend with the same uploadId).
 */
export interface LogUploadSummary {
  uploadId: string;
  format: LogFormat;
  lines: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, { count: number; firstLines: number[] }>;
}

const CHUNK = 500;
const IN_FLIGHT = 4;
const FIRST_LINES = 5;

/** The request body, gunzipped when it starts with the gzip magic bytes, limited to `maxBytes`. */
async function* bodyOf(raw: IncomingMessage, maxBytes: number): AsyncGenerator<Buffer> {
  const iterator = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const source: AsyncIterable<Buffer> = gzip ? pipeline(Readable.from(all()), createGunzip(), () => undefined) : all();
  let total = 0;
  try {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) throw new FieldError('VANE_ERR_BODY_TOO_LARGE', `the log is larger than ${maxBytes} bytes (decompressed)`, 'body');
      yield chunk;
    }
  } catch (error) {
    if (error instanceof FieldError) throw error;
    if (gzip) throw new FieldError('VANE_ERR_BAD_INPUT', `the body starts like gzip but does not decompress: ${(error as Error).message}`, 'body');
    throw error;
  }
}

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
      const site = request.site!;
      const { format } = request.query;
      const uploadId = request.query.uploadId ?? newEventId();
      const receivedAt = ctx.now();
      const summary: LogUploadSummary = { uploadId, format, lines: 0, accepted: 0, rejected: 0, rejectedByReason: {} };
      const reject = (reason: VaneErrorCode, line: number): void => {
        summary.rejected++;
        const entry = (summary.rejectedByReason[reason] ??= { count: 0, firstLines: [] });
        entry.count++;
        if (entry.firstLines.length < FIRST_LINES) entry.firstLines.push(line);
        ctx.metrics.logLinesRejected.inc({ reason });
      };
      const inFlight: Promise<void>[] = [];
      let chunk: SpooledRecord[] = [];
      const flush = (): void => {
        if (chunk.length === 0) return;
        const records = chunk;
        chunk = [];
        inFlight.push(
          ctx.sink.accept(records).then((delivery) => {
            summary.accepted += records.length;
            ctx.metrics.records.inc({ topic: 'ingest.serverlogs.v1', delivery }, records.length);
          }),
        );
      };
      try {
        for await (const line of splitLines(bodyOf(request.raw, ctx.settings.logMaxBytes), ctx.settings.logMaxLineBytes)) {
          summary.lines = line.number;
          if (line.tooLong) {
            reject('VANE_ERR_LOG_LINE_TOO_LONG', line.number);
            continue;
          }
          const parsed = parseLogLine(line.text, format);
          if (isRejected(parsed)) {
            reject(parsed.reason, line.number);
            continue;
          }
          const ip = truncateIp(parsed.remoteAddr);
          if (!ip) {
            reject('VANE_ERR_LOG_BAD_ADDRESS', line.number);
            continue;
          }
          const userAgent = parseUserAgent(parsed.userAgent);
          const ids = ctx.visitors.ids(parsed.time, site.siteId, ip.cidr, userAgent?.raw ?? '');
          const record: ServerLogLine = {
            eventId: derivedEventId(`${site.siteId}:${uploadId}:${line.number}`),
            siteId: site.siteId,
            receivedAt,
            uploadId,
            lineNumber: line.number,
            format,
            time: parsed.time,
            method: parsed.method,
            path: parsed.path,
            query: parsed.query,
            protocol: parsed.protocol,
            status: parsed.status,
            bytes: parsed.bytes,
            referrer: parsed.referrer,
            userAgent,
            network: ctx.geo.network(ip),
            visitorId: ids.visitorId,
            previousVisitorId: ids.previousVisitorId,
          };
          try {
            chunk.push(ctx.encoder.record('ingest.serverlogs.v1', site.siteId, record));
          } catch {
            reject('VANE_ERR_LOG_UNPARSABLE', line.number);
            continue;
          }
          if (chunk.length >= CHUNK) {
            flush();
            // Bounded memory: at most IN_FLIGHT chunks wait for Kafka or the spool.
            if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
          }
        }
        flush();
        while (inFlight.length > 0) await inFlight.shift();
      } catch (error) {
        await Promise.allSettled(inFlight);
        const code = (error as { code?: string }).code;
        if (code === 'VANE_ERR_SPOOL_FULL' || code === 'VANE_ERR_SPOOL') {
          ctx.metrics.rejections.inc({ code });
          return reply
            .code(503)
            .header('retry-after', String(ctx.settings.retryAfterSeconds))
            .header('connection', 'close')
            .send({ code, message: (error as Error).message, ...summary });
        }
        if (error instanceof FieldError) reply.header('connection', 'close');
        throw error;
      }
      return reply.code(200).send(summary);
    },
  );
}
