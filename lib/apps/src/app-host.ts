import { locationKeysOf, type Network, type ScoreSeen } from '@vane/schemas';
import {
  ENTITY_APP,
  ENTITY_APP_VERSION,
  ENTITY_CUSTOM_DATA,
  ENTITY_PROVIDER,
  ENTITY_TENANT,
  type App,
  type AppVersion,
  type ConfigEntity,
  type ConfigState,
} from '@vane/config-model';
import { appNetwork, type AppEcs, type AppProvider, type AppRequest, type AppScore } from './app-request';
import { decide, fallbackDecision, type Decision, type DecisionContext } from './decision';
import { reasonCodes } from './reason-codes';
import { AppSandbox, type SandboxStats, type StaticsInput } from './sandbox';
import type { SandboxLimits } from './sandbox-limits';
import type { AppScoreSource } from './app-score-source';
import { initConfigOf, staticsOf } from './test-runner';

/**
 * Runs the published version of every app in config.changes.v1 for the
 * decision gateways: one sandbox per app, swapped when another version is
 * published (the old one serves until the new one has loaded), statics
 * (providers, settings, custom data) re-sent when they change, all without a
 * restart. `decide` builds the app request from the network and the scores,
 * runs the app and turns the outcome into a Decision (the fallback when the
 * app fails); it never throws for anything an app does.
 */

export interface DecisionInput {
  protocol: 'dns' | 'http';
  hostname: string;
  qtype: string | null;
  path: string | null;
  /** The network decided for (ECS subnet, resolver or HTTP client). */
  client: Network;
  resolver: Network | null;
  ecs: AppEcs | null;
  /** Epoch ms the request arrived. */
  now: number;
}

export interface DecisionResult {
  appId: string;
  tenantId: string;
  version: number;
  decision: Decision;
  scoresSeen: ScoreSeen[];
  /** The scores given to the app, by provider. */
  scores: Record<string, AppScore>;
}

export type DecideOutcome = { ok: true; result: DecisionResult } | { ok: false; code: 'VANE_ERR_NOT_FOUND' | 'VANE_ERR_APP_NOT_PUBLISHED' | 'VANE_ERR_TENANT_DISABLED' };

export interface AppHostOptions {
  config: ConfigState;
  scores: AppScoreSource;
  limits?: Partial<SandboxLimits>;
  log?: (line: string) => void;
}

interface Running {
  app: App;
  version: AppVersion;
  providers: AppProvider[];
  ctx: DecisionContext;
  statics: StaticsInput;
  /** The loaded sandbox, or the load in progress. */
  sandbox: AppSandbox | null;
  loading: Promise<AppSandbox | null> | null;
  loadError: string | null;
}

export interface AppStatus {
  appId: string;
  tenantId: string;
  version: number;
  loaded: boolean;
  loadError: string | null;
  sandbox: SandboxStats | null;
}

let stampCounter = 0;

export class AppHost {
  /** What answers now, per app. */
  private readonly running = new Map<string, Running>();
  /** The version being brought up (or running), per app: the last published one. */
  private readonly latest = new Map<string, Running>();
  private unsubscribe: (() => void) | undefined;
  private readonly log: (line: string) => void;
  private stopped = false;

  constructor(private readonly options: AppHostOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /** Loads every published app and follows config changes; resolves when all have loaded (or failed to). */
  async start(): Promise<void> {
    this.unsubscribe = this.options.config.onChange((entity) => this.onChange(entity));
    for (const app of this.options.config.allApps()) this.sync(app.appId);
    await this.settled();
  }

  /** Resolves when no app is loading (tests, and `ready` checks). */
  async settled(): Promise<void> {
    for (;;) {
      const loading = [...this.all()].map((r) => r.loading).filter((l): l is Promise<AppSandbox | null> => l !== null);
      if (loading.length === 0) return;
      await Promise.all(loading);
    }
  }

  private onChange(entity: ConfigEntity): void {
    if (this.stopped) return;
    const config = this.options.config;
    if (entity.entityType === ENTITY_APP) {
      const appId = entity.entityId.slice('app:'.length);
      this.sync(appId);
    } else if (entity.entityType === ENTITY_APP_VERSION) {
      // A version arrives before the app entity that publishes it; nothing to do until then.
    } else if (entity.entityType === ENTITY_PROVIDER) {
      for (const r of this.all()) if (r.version.providers.some((b) => b.id === entity.entityId)) this.refreshStatics(r);
    } else if (entity.entityType === ENTITY_CUSTOM_DATA) {
      for (const r of this.all()) if (r.app.tenantId === entity.tenantId && r.version.data.length > 0) this.refreshStatics(r);
    } else if (entity.entityType === ENTITY_TENANT) {
      for (const app of config.allApps()) if (app.tenantId === entity.tenantId) this.sync(app.appId);
    }
  }

  private all(): Set<Running> {
    return new Set([...this.running.values(), ...this.latest.values()]);
  }

  /** Brings the running state of one app in line with the config. */
  private sync(appId: string): void {
    const config = this.options.config;
    const app = config.app(appId);
    const held = this.running.get(appId);
    const version = app && app.publishedVersion !== null ? config.appVersion(appId, app.publishedVersion) : undefined;
    if (!app || !version || config.tenant(app.tenantId)?.disabled) {
      this.latest.delete(appId);
      if (held) {
        this.running.delete(appId);
        this.retire(held);
      }
      return;
    }
    const target = this.latest.get(appId);
    if (target && target.version.version === version.version) {
      target.app = app;
      if (held) held.app = app;
      return;
    }
    const next = this.prepare(app, version);
    this.latest.set(appId, next);
    // The first version answers (with its fallback) while it loads; another one waits for its load.
    if (!held) this.running.set(appId, next);
    next.loading = this.load(next).then((sandbox) => {
      if (this.latest.get(appId) !== next) {
        sandbox?.dispose();
        return null;
      }
      const current = this.running.get(appId);
      if (!sandbox && current && current !== next) {
        this.log(`apps: ${appId} version ${version.version} did not load (${next.loadError}); version ${current.version.version} keeps answering`);
        return null;
      }
      this.running.set(appId, next);
      if (current && current !== next) this.retire(current);
      return sandbox;
    });
  }

  private prepare(app: App, version: AppVersion): Running {
    const providers = this.providersOf(version);
    const running: Running = {
      app,
      version,
      providers,
      ctx: { providers, fallback: version.fallback, ttl: version.ttl },
      statics: { stamp: '', json: '' },
      sandbox: null,
      loading: null,
      loadError: null,
    };
    running.statics = this.staticsFor(running);
    return running;
  }

  private providersOf(version: AppVersion): AppProvider[] {
    const config = this.options.config;
    return version.providers.map((binding) => {
      const provider = config.provider(binding.id);
      return {
        id: binding.id,
        name: provider?.name ?? null,
        cname: binding.cname ?? provider?.cname ?? null,
        addresses: binding.addresses ?? provider?.addresses ?? [],
        url: binding.url ?? provider?.url ?? null,
      };
    });
  }

  private staticsFor(r: Running): StaticsInput {
    const config = this.options.config;
    const data: Record<string, unknown> = {};
    for (const name of r.version.data) {
      const set = config.customData(r.app.tenantId, name);
      const current = set ? config.customDataVersion(r.app.tenantId, name, set.currentVersion) : undefined;
      data[name] = current ? current.data : null;
    }
    return { stamp: `${r.app.appId}@${r.version.version}#${++stampCounter}`, json: JSON.stringify(staticsOf({ providers: r.providers, settings: r.version.settings }, data)) };
  }

  private refreshStatics(r: Running): void {
    r.providers = this.providersOf(r.version);
    r.ctx = { providers: r.providers, fallback: r.version.fallback, ttl: r.version.ttl };
    r.statics = this.staticsFor(r);
  }

  private async load(r: Running): Promise<AppSandbox | null> {
    const { app, version } = r;
    try {
      const sandbox = await AppSandbox.load(
        { appId: app.appId, version: version.version, source: version.source },
        initConfigOf({ appId: app.appId, version: version.version, providers: r.providers, settings: version.settings }),
        r.statics,
        { limits: this.options.limits, onCatastrophe: (m) => this.log(`apps: catastrophic error in ${app.appId}@${version.version}: ${m}`) },
      );
      if (this.stopped) {
        sandbox.dispose();
        return null;
      }
      r.sandbox = sandbox;
      r.loadError = null;
      return sandbox;
    } catch (error) {
      r.loadError = (error as Error).message;
      this.log(`apps: ${r.loadError}`);
      return null;
    } finally {
      r.loading = null;
    }
  }

  /** Disposes a replaced version once requests in flight had time to finish. */
  private retire(r: Running): void {
    const dispose = (): void => r.sandbox?.dispose();
    if (r.loading) void r.loading.then(() => setTimeout(dispose, 1000).unref());
    else setTimeout(dispose, 1000).unref();
  }

  /** The published app, for routing (hostnames, zone, tenant). */
  app(appId: string): App | undefined {
    return this.running.get(appId)?.app;
  }

  /** The providers of the running version of an app, resolved. */
  runningProviders(appId: string): AppProvider[] {
    return this.running.get(appId)?.providers ?? [];
  }

  async decide(appId: string, input: DecisionInput): Promise<DecideOutcome> {
    const config = this.options.config;
    const r = this.running.get(appId);
    if (!r) return { ok: false, code: config.app(appId) ? 'VANE_ERR_APP_NOT_PUBLISHED' : 'VANE_ERR_NOT_FOUND' };
    if (config.tenant(r.app.tenantId)?.disabled) return { ok: false, code: 'VANE_ERR_TENANT_DISABLED' };
    const keys = locationKeysOf(input.client);
    const scores: Record<string, AppScore> = {};
    const scoresSeen: ScoreSeen[] = [];
    for (const p of r.providers) {
      const score = this.options.scores.best(p.id, keys);
      if (!score) continue;
      scores[p.id] = score;
      scoresSeen.push({ provider: p.id, level: score.level, rttP50: score.rttP50, availability: score.availability });
    }
    const version = r.version.version;
    const request: AppRequest = {
      protocol: input.protocol,
      hostname: input.hostname,
      qtype: input.qtype,
      path: input.path,
      client: appNetwork(input.client),
      resolver: input.resolver ? appNetwork(input.resolver) : null,
      ecs: input.ecs,
      locationKeys: keys,
      scores,
      now: input.now,
      app: { id: appId, version },
    };
    let decision: Decision;
    let sandbox = r.sandbox;
    if (!sandbox && r.loading) sandbox = await r.loading;
    if (!sandbox) {
      decision = fallbackDecision(r.ctx, reasonCodes.unavailable, r.loadError ?? 'the app version is not loaded');
    } else {
      const outcome = await sandbox.run(JSON.stringify(request), r.statics);
      decision = decide(outcome, r.ctx);
    }
    return { ok: true, result: { appId, tenantId: r.app.tenantId, version, decision, scoresSeen, scores } };
  }

  status(): AppStatus[] {
    return [...this.running.values()].map((r) => ({
      appId: r.app.appId,
      tenantId: r.app.tenantId,
      version: r.version.version,
      loaded: r.sandbox !== null,
      loadError: r.loadError,
      sandbox: r.sandbox?.stats() ?? null,
    }));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const r of [...this.running.values(), ...this.latest.values()]) r.sandbox?.dispose();
    this.running.clear();
    this.latest.clear();
  }
}
