import type { FastifyInstance } from 'fastify';
import type { Download } from '@vane/schemas';
import { clientOf, type IngestContext } from '../context';
import { newEventId, UUID_PATTERN } from '../event-id';
import { singleToBatch } from '../plugins/json-bodies';

/**
 * POST /api/v1/events[?key=…] → ingest.downloads.v1 (key: the event type), Glow-style.
 * Body: one event or {events: [event, …]}; event = {type: "download"|"share", product,
 * version?, eventTime? (epoch ms), eventId? (UUID)}. The client network is located
 * from the (truncated) client address. Answers 204.
 */
interface DownloadInput {
  eventId?: string;
  type: 'download' | 'share';
  product: string;
  version?: string;
  eventTime?: number;
}

const eventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'product'],
  properties: {
    eventId: { type: 'string', pattern: UUID_PATTERN },
    type: { enum: ['download', 'share'] },
    product: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' },
    version: { type: 'string', minLength: 1, maxLength: 64 },
    eventTime: { type: 'integer', minimum: 0 },
  },
} as const;

export async function eventRoutes(app: FastifyInstance, opts: { ctx: IngestContext }): Promise<void> {
  const { ctx } = opts;
  app.post<{ Body: { key?: string; events: DownloadInput[] } }>(
    '/api/v1/events',
    {
      schema: {
        body: {
          type: 'object',
          required: ['events'],
          additionalProperties: false,
          properties: { key: { type: 'string' }, events: { type: 'array', minItems: 1, maxItems: ctx.settings.maxEventsPerRequest, items: eventSchema } },
        },
      },
      config: { scope: 'events', metricsName: 'events' },
      preValidation: singleToBatch('events', 'type'),
    },
    async (request, reply) => {
      const site = request.site!;
      const client = clientOf(request, ctx);
      const now = ctx.now();
      const records = request.body.events.map((e) => {
        const download: Download = {
          eventId: e.eventId?.toLowerCase() ?? newEventId(),
          receivedAt: now,
          eventTime: e.eventTime ?? now,
          type: e.type,
          product: e.product,
          version: e.version ?? null,
          siteId: site.siteId,
          network: { ...client.network },
        };
        return ctx.encoder.record('ingest.downloads.v1', e.type, download);
      });
      const delivery = await ctx.sink.accept(records);
      ctx.metrics.records.inc({ topic: 'ingest.downloads.v1', delivery }, records.length);
      return reply.code(204).send();
    },
  );
}
