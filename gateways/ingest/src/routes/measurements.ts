import type { FastifyInstance } from 'fastify';
import { VaneError } from '@vane/core';
import { locationKeyOf, type Measurement, type Timings } from '@vane/schemas';
import { clientOf, type IngestContext } from '../context';
import { newEventId, UUID_PATTERN } from '../event-id';

/**
 * POST /api/v1/measurements[?key=…] → ingest.measurements.v1 (key: the client's
 * most specific location key, as scores.v1 locationKey).
 * Body: {token, measurements: [{provider, probeType: rtt|availability|throughput, value,
 *        timings?: {dnsMs, connectMs, tlsMs, ttfbMs, downloadMs}, url?, eventTime?, measurementId?}]}
 * `token` is the plan's session token (401 VANE_ERR_TOKEN_INVALID / VANE_ERR_TOKEN_EXPIRED);
 * each provider must be one the plan asked for. Units: rtt ms, availability 0|1,
 * throughput kbit/s. The gateway adds the client network (truncated IP, GeoIP, AS).
 * Answers 204.
 */
interface MeasurementInput {
  measurementId?: string;
  provider: string;
  probeType: 'rtt' | 'availability' | 'throughput';
  value: number;
  timings?: Partial<Timings>;
  url?: string;
  eventTime?: number;
}

const phase = { type: ['number', 'null'], minimum: 0, maximum: 600_000 } as const;

const measurementSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'probeType', 'value'],
  properties: {
    measurementId: { type: 'string', pattern: UUID_PATTERN },
    provider: { type: 'string', minLength: 1, maxLength: 128 },
    probeType: { enum: ['rtt', 'availability', 'throughput'] },
    value: { type: 'number', minimum: 0 },
    timings: {
      type: 'object',
      additionalProperties: false,
      properties: { dnsMs: phase, connectMs: phase, tlsMs: phase, ttfbMs: phase, downloadMs: phase },
    },
    url: { type: 'string', maxLength: 2048 },
    eventTime: { type: 'integer', minimum: 0 },
  },
  allOf: [
    { if: { properties: { probeType: { const: 'rtt' } } }, then: { properties: { value: { type: 'number', maximum: 600_000 } } } },
    { if: { properties: { probeType: { const: 'availability' } } }, then: { properties: { value: { enum: [0, 1] } } } },
    { if: { properties: { probeType: { const: 'throughput' } } }, then: { properties: { value: { type: 'number', maximum: 100_000_000 } } } },
  ],
} as const;

export async function measurementRoutes(app: FastifyInstance, opts: { ctx: IngestContext }): Promise<void> {
  const { ctx } = opts;
  app.post<{ Body: { key?: string; token: string; measurements: MeasurementInput[] } }>(
    '/api/v1/measurements',
    {
      schema: {
        body: {
          type: 'object',
          required: ['token', 'measurements'],
          additionalProperties: false,
          properties: {
            key: { type: 'string' },
            token: { type: 'string', minLength: 1, maxLength: 4096 },
            measurements: { type: 'array', minItems: 1, maxItems: ctx.settings.maxEventsPerRequest, items: measurementSchema },
          },
        },
      },
      config: { scope: 'measurements', metricsName: 'measurements' },
    },
    async (request, reply) => {
      const site = request.site!;
      const now = ctx.now();
      const claims = ctx.tokens.verify(request.body.token, now);
      if (claims.site !== site.siteId) {
        throw new VaneError('VANE_ERR_TOKEN_INVALID', 'the session token was issued for another site', { field: 'body.token' });
      }
      const client = clientOf(request, ctx);
      const locationKey = locationKeyOf(client.network);
      const records = request.body.measurements.map((m, i) => {
        if (!claims.providers.includes(m.provider)) {
          const field = `body.measurements.${i}.provider`;
          throw new VaneError('VANE_ERR_VALIDATION', `${field}: provider '${m.provider}' is not in this session's plan`, { field });
        }
        const measurement: Measurement = {
          measurementId: m.measurementId?.toLowerCase() ?? newEventId(),
          receivedAt: now,
          eventTime: m.eventTime ?? now,
          sessionId: claims.sid,
          siteId: site.siteId,
          provider: m.provider,
          probeType: m.probeType,
          value: m.value,
          timings: m.timings
            ? {
                dnsMs: m.timings.dnsMs ?? null,
                connectMs: m.timings.connectMs ?? null,
                tlsMs: m.timings.tlsMs ?? null,
                ttfbMs: m.timings.ttfbMs ?? null,
                downloadMs: m.timings.downloadMs ?? null,
              }
            : null,
          url: m.url ?? null,
          client: { ...client.network },
          resolver: null,
          source: 'rum',
        };
        return ctx.encoder.record('ingest.measurements.v1', locationKey, measurement);
      });
      const delivery = await ctx.sink.accept(records);
      ctx.metrics.records.inc({ topic: 'ingest.measurements.v1', delivery }, records.length);
      return reply.code(204).send();
    },
  );
}
