import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VaneError } from '@vane/core';
import type { Beacon } from '@vane/schemas';
import type { Site } from '@vane/config-model';
import { clientOf, type IngestContext } from '../context';
import { newEventId, UUID_PATTERN } from '../event-id';
import { singleToBatch } from '../plugins/json-bodies';
import type { SpooledRecord } from '../spool';

/**
 * Analytics beacons → ingest.beacons.v1 (key: site id).
 *
 * GET  /api/v1/beacon?key=…&type=pageview|event&url=…[&referrer&title&name&props(JSON)&screenWidth&language&sessionHint&eventId&eventTime][&img=1]
 *      image beacon: 204, or a 1×1 transparent GIF with img=1.
 * POST /api/v1/beacon[?key=…]  body (application/json or text/plain): one event, or {events: [event, …]}
 *      event = {type: "pageview"|"event"|"vital", url, referrer?, title?, name? (type event), props?,
 *               vitals? ([{name: LCP|INP|CLS|FCP|TTFB, value}], type vital), screenWidth?, language?,
 *               sessionHint?, eventId? (UUID; a retried send should reuse it), eventTime? (epoch ms)}
 *      204, no body.
 * The page's hostname must be the site's domain, a subdomain of it or one of its hostnames
 * (403 VANE_ERR_HOSTNAME_NOT_ALLOWED).
 */
interface BeaconEventInput {
  eventId?: string;
  type: 'pageview' | 'event' | 'vital';
  url: string;
  referrer?: string | null;
  title?: string | null;
  name?: string;
  props?: Record<string, string | number | boolean>;
  vitals?: { name: string; value: number }[];
  screenWidth?: number;
  language?: string;
  sessionHint?: string;
  eventTime?: number;
}

const vital = {
  type: 'object',
  required: ['name', 'value'],
  properties: {
    name: { enum: ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] },
    value: { type: 'number', minimum: 0, maximum: 3_600_000 },
  },
} as const;

const common = {
  eventId: { type: 'string', pattern: UUID_PATTERN },
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  referrer: { type: ['string', 'null'], maxLength: 2048 },
  title: { type: ['string', 'null'], maxLength: 512 },
  name: { type: 'string', minLength: 1, maxLength: 128 },
  screenWidth: { type: 'integer', minimum: 0, maximum: 100_000 },
  language: { type: 'string', maxLength: 35 },
  sessionHint: { type: 'string', maxLength: 128 },
  eventTime: { type: 'integer', minimum: 0 },
} as const;

function eventSchema(types: readonly string[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'url'],
    properties: {
      ...common,
      type: { enum: types },
      props: { type: 'object', maxProperties: 30, additionalProperties: { type: ['string', 'number', 'boolean'], maxLength: 512 } },
      vitals: { type: 'array', maxItems: 5, items: vital },
    },
    allOf: [
      { if: { properties: { type: { const: 'event' } } }, then: { required: ['name'] } },
      { if: { properties: { type: { const: 'vital' } } }, then: { required: ['vitals'], properties: { vitals: { type: 'array', minItems: 1 } } } },
    ],
  };
}

const querySchema = {
  type: 'object',
  required: ['url'],
  properties: {
    key: { type: 'string' },
    type: { enum: ['pageview', 'event'], default: 'pageview' },
    ...common,
    props: { type: 'string', maxLength: 8192 },
    img: { enum: ['0', '1', 'true', 'false'] },
  },
} as const;

/** A transparent 1×1 GIF. */
export const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function hostnameAllowed(site: Site, hostname: string): boolean {
  const domain = site.domain;
  return hostname === domain || hostname.endsWith(`.${domain}`) || (site.hostnames ?? []).includes(hostname);
}

function stringProps(props: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props ?? {})) out[k] = String(v);
  return out;
}

function beaconRecords(ctx: IngestContext, request: FastifyRequest, events: readonly BeaconEventInput[], fieldPrefix: string): SpooledRecord[] {
  const site = request.site!;
  const client = clientOf(request, ctx);
  const receivedAt = ctx.now();
  const ids = ctx.visitors.ids(receivedAt, site.siteId, client.ip.cidr, client.userAgent?.raw ?? '');
  return events.map((event, i) => {
    const field = `${fieldPrefix}${fieldPrefix.endsWith('.') ? '' : `.${i}.`}url`;
    let url: URL;
    try {
      url = new URL(event.url);
    } catch {
      throw new VaneError('VANE_ERR_VALIDATION', `${field} is not an absolute URL`, { field });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VaneError('VANE_ERR_VALIDATION', `${field} must be an http(s) URL`, { field });
    const hostname = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    if (!hostnameAllowed(site, hostname)) {
      throw new VaneError('VANE_ERR_HOSTNAME_NOT_ALLOWED', `${hostname} is not a hostname of site ${site.siteId} (${site.domain})`, { field });
    }
    url.hash = '';
    const beacon: Beacon = {
      eventId: event.eventId?.toLowerCase() ?? newEventId(),
      siteId: site.siteId,
      receivedAt,
      eventTime: event.eventTime ?? receivedAt,
      type: event.type,
      url: url.toString(),
      path: url.pathname || '/',
      hostname,
      referrer: event.referrer || null,
      title: event.title ?? null,
      eventName: event.type === 'event' ? (event.name ?? null) : null,
      eventProps: event.type === 'event' ? stringProps(event.props) : {},
      vitals: event.type === 'vital' ? (event.vitals ?? []).map((v) => ({ name: v.name, value: v.value })) : [],
      visitorId: ids.visitorId,
      previousVisitorId: ids.previousVisitorId,
      sessionHint: event.sessionHint ?? null,
      userAgent: client.userAgent,
      network: { ...client.network },
      screenWidth: event.screenWidth ?? null,
      language: event.language ?? null,
    };
    return ctx.encoder.record('ingest.beacons.v1', site.siteId, beacon);
  });
}

interface BeaconQuery extends Omit<BeaconEventInput, 'props' | 'vitals'> {
  key?: string;
  props?: string;
  img?: string;
}

export async function beaconRoutes(app: FastifyInstance, opts: { ctx: IngestContext }): Promise<void> {
  const { ctx } = opts;

  app.get<{ Querystring: BeaconQuery }>(
    '/api/v1/beacon',
    { schema: { querystring: querySchema }, config: { scope: 'beacon', metricsName: 'beacon_get' } },
    async (request, reply) => {
      const { key: _key, img, props, ...event } = request.query;
      let parsedProps: Record<string, string | number | boolean> | undefined;
      if (props !== undefined) {
        try {
          const value = JSON.parse(props) as unknown;
          if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
          parsedProps = value as Record<string, string | number | boolean>;
        } catch {
          throw new VaneError('VANE_ERR_VALIDATION', 'querystring.props must be a JSON object of strings, numbers and booleans', { field: 'querystring.props' });
        }
      }
      if (event.type === 'event' && !event.name) throw new VaneError('VANE_ERR_VALIDATION', "querystring.name is required for type 'event'", { field: 'querystring.name' });
      const records = beaconRecords(ctx, request, [{ ...event, props: parsedProps }], 'querystring.');
      const delivery = await ctx.sink.accept(records);
      ctx.metrics.records.inc({ topic: 'ingest.beacons.v1', delivery }, records.length);
      if (img === '1' || img === 'true') {
        return reply.code(200).header('content-type', 'image/gif').header('cache-control', 'no-store').send(PIXEL);
      }
      return reply.code(204).header('cache-control', 'no-store').send();
    },
  );

  app.post<{ Body: { key?: string; events: BeaconEventInput[] } }>(
    '/api/v1/beacon',
    {
      schema: {
        body: {
          type: 'object',
          required: ['events'],
          additionalProperties: false,
          properties: { key: { type: 'string' }, events: { type: 'array', minItems: 1, maxItems: ctx.settings.maxEventsPerRequest, items: eventSchema(['pageview', 'event', 'vital']) } },
        },
      },
      config: { scope: 'beacon', metricsName: 'beacon_post' },
      preValidation: singleToBatch('events', 'type'),
    },
    async (request, reply) => {
      const records = beaconRecords(ctx, request, request.body.events, 'body.events');
      const delivery = await ctx.sink.accept(records);
      ctx.metrics.records.inc({ topic: 'ingest.beacons.v1', delivery }, records.length);
      return reply.code(204).send();
    },
  );
}
