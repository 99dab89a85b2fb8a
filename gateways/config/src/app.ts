import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerVaneErrors } from '@vane/core/http';
import type { ConfigStore } from './config-store';
import type { ConfigContext } from './context';
import { resolveSettings, type ConfigSettingsInput } from './options';
import { registerAuth } from './plugins/auth';
import { appPublishingRoutes } from './routes/app-publishing';
import { appVersionRoutes } from './routes/app-versions';
import { appRoutes } from './routes/apps';
import { dataVersionRoutes } from './routes/data-versions';
import { dataRoutes } from './routes/data';
import { healthRoutes } from './routes/health';
import { providerRoutes } from './routes/providers';
import { siteKeyRoutes } from './routes/site-keys';
import { siteRoutes } from './routes/sites';
import { tenantRoutes } from './routes/tenants';

export { MemoryConfigStore, type ConfigStore } from './config-store';

/**
 * The config service as a Fastify instance, not listening (server.ts
 * listens). Tests pass a MemoryConfigStore; the server passes the store that
 * writes to config.changes.v1 and reads its own view of it.
 */
export interface BuildOptions {
  settings: ConfigSettingsInput;
  store: ConfigStore;
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
}

export async function build(options: BuildOptions): Promise<FastifyInstance> {
  const ctx: ConfigContext = { settings: resolveSettings(options.settings), store: options.store, now: options.now ?? Date.now };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { allowUnionTypes: true } },
    logController: new LogController({ disableRequestLogging: true }),
  });
  registerVaneErrors(app);
  registerAuth(app, ctx);
  await app.register(healthRoutes, { ctx });
  await app.register(tenantRoutes, { ctx });
  await app.register(siteRoutes, { ctx });
  await app.register(siteKeyRoutes, { ctx });
  await app.register(providerRoutes, { ctx });
  await app.register(appRoutes, { ctx });
  await app.register(appVersionRoutes, { ctx });
  await app.register(appPublishingRoutes, { ctx });
  await app.register(dataRoutes, { ctx });
  await app.register(dataVersionRoutes, { ctx });
  return app;
}
