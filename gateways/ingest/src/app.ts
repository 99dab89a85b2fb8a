import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import { registerVaneErrors } from '@vane/core/http';
import { openGeo, type GeoLookup } from '@vane/network';
import { DailyUsage } from './daily-usage';
import type { RecordSink } from './durable-sink';
import { IngestMetrics } from './metrics';
import { resolveSettings, type IngestSettings } from './options';
import type { RecordEncoder } from './record-encoder';
import { SessionTokens } from './session-token';
import { VisitorHasher } from './visitor-id';
import type { ConfigSource, IngestContext } from './context';
import { acceptJsonAsTextPlain } from './plugins/json-bodies';
import { registerSiteKeys } from './plugins/site-keys';
import { beaconRoutes } from './routes/beacon';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { measurementRoutes } from './routes/measurements';
import { scriptRoutes } from './routes/script';
import { serverLogRoutes } from './routes/server-log';
import { sessionInitRoutes } from './routes/session-init';

export { RecordEncoder } from './record-encoder';
export type { RecordSink, SinkStats } from './durable-sink';

/**
 * The ingest gateway as a Fastify instance, not listening (server.ts
 * listens). Everything it talks to comes in through the options: tests pass a
 * fixed configuration and an in-memory sink, the server passes the config
 * view that follows config.changes.v1 and the Kafka/spool sink.
 */
export interface BuildOptions {
  settings: Partial<IngestSettings> & { secret: string };
  config: ConfigSource;
  sink: RecordSink;
  encoder: RecordEncoder;
  /** GeoIP; default: the GeoLite2 City and AS tables shipped in npm packages. */
  geo?: GeoLookup;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
}

export interface IngestApp {
  app: FastifyInstance;
  ctx: IngestContext;
}

export async function build(options: BuildOptions): Promise<FastifyInstance> {
  return (await buildWithContext(options)).app;
}

export async function buildWithContext(options: BuildOptions): Promise<IngestApp> {
  const settings = resolveSettings(options.settings);
  const usage = new DailyUsage();
  const ctx: IngestContext = {
    settings,
    config: options.config,
    sink: options.sink,
    encoder: options.encoder,
    geo: options.geo ?? openGeo(),
    visitors: new VisitorHasher(settings.secret),
    tokens: new SessionTokens(settings.secret),
    usage,
    metrics: new IngestMetrics({ sink: options.sink, usage, config: () => options.config.state }),
    now: options.now ?? Date.now,
  };
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: settings.trustedProxies.length > 0 ? settings.trustedProxies : false,
    bodyLimit: settings.bodyLimitBytes,
    ajv: { customOptions: { allowUnionTypes: true } },
    // One log line per request is too many at beacon rates: /metrics counts them instead.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.decorateRequest('siteKey', null);
  app.decorateRequest('site', null);
  app.decorateRequest('clientInfo', null);
  registerVaneErrors(app, {
    accepts: 'application/json or text/plain (JSON text)',
    retryAfterSeconds: settings.retryAfterSeconds,
    onError: (answer) => ctx.metrics.rejections.inc({ code: answer.body.code }),
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.config.metricsName ?? (request.method === 'OPTIONS' ? 'preflight' : 'other');
    ctx.metrics.requests.inc({ route, status: String(reply.statusCode) });
    ctx.metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  await app.register(healthRoutes, { ctx });
  await app.register(scriptRoutes);
  await app.register(async (api) => {
    await registerSiteKeys(api, ctx);
    // Browser endpoints: CORS, and JSON sent as text/plain by sendBeacon.
    await api.register(async (browser) => {
      await browser.register(cors, {
        origin: '*',
        methods: ['GET', 'POST'],
        allowedHeaders: ['content-type', 'x-vane-key'],
        maxAge: 86_400,
      });
      acceptJsonAsTextPlain(browser, settings.bodyLimitBytes);
      await browser.register(beaconRoutes, { ctx });
      await browser.register(sessionInitRoutes, { ctx });
      await browser.register(measurementRoutes, { ctx });
      await browser.register(eventRoutes, { ctx });
    });
    // Server-to-server: streamed access-log uploads.
    await api.register(serverLogRoutes, { ctx });
  });
  return { app, ctx };
}
