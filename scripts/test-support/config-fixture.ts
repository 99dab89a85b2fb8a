import { createHash } from 'node:crypto';
import {
  ConfigState,
  appEntityId,
  appVersionEntityId,
  configChange,
  dataEntityId,
  dataVersionEntityId,
  tenantEntityId,
  type AppPayload,
  type AppVersionPayload,
  type CustomDataPayload,
  type ProviderPayload,
} from '@vane/config-model';
import { bestRttSource } from './best-rtt-app';

/**
 * A configuration as config.changes.v1 would carry it, built in memory for
 * the gateways' unit tests: tenant "acme" with app "acme.video" (zone
 * acme-cdn.example) answering from the best-rtt app.
 */
export class ConfigFixture {
  readonly state = new ConfigState();
  private readonly versions = new Map<string, number>();

  private next(entityId: string): number {
    const v = (this.versions.get(entityId) ?? 0) + 1;
    this.versions.set(entityId, v);
    return v;
  }

  upsert(entityId: string, entityType: string, tenantId: string, payload: object): this {
    this.state.apply(configChange({ entityId, entityType, tenantId, version: this.next(entityId), op: 'upsert', actor: 'test', payload }));
    return this;
  }

  tenant(tenantId: string, extra: Record<string, unknown> = {}): this {
    return this.upsert(tenantEntityId(tenantId), 'tenant', tenantId, { tenantId, createdAt: 1, ...extra });
  }

  provider(tenantId: string, payload: Omit<ProviderPayload, 'probes'> & { probes?: ProviderPayload['probes'] }): this {
    return this.upsert(payload.providerId, 'provider', tenantId, { probes: [], ...payload });
  }

  app(payload: Partial<AppPayload> & Pick<AppPayload, 'appId' | 'tenantId'>): this {
    const full: AppPayload = { name: payload.appId.split('.')[1] ?? payload.appId, hostnames: [], latestVersion: 0, publishedVersion: null, history: [], createdAt: 1, ...payload };
    return this.upsert(appEntityId(full.appId), 'app', full.tenantId, full);
  }

  version(payload: Partial<AppVersionPayload> & Pick<AppVersionPayload, 'appId' | 'tenantId' | 'version' | 'source'>): this {
    const full: AppVersionPayload = {
      providers: [{ id: 'cdn-a' }, { id: 'cdn-b' }, { id: 'origin' }],
      fallback: { provider: 'origin', ttl: 20 },
      ttl: 60,
      settings: { availabilityFloor: 0.8 },
      data: [],
      tests: [],
      sourceSha256: createHash('sha256').update(payload.source).digest('hex'),
      createdAt: 1,
      createdBy: 'test',
      ...payload,
    };
    return this.upsert(appVersionEntityId(full.appId, full.version), 'app_version', full.tenantId, full);
  }

  /** Publishes `version` of an app already created. */
  publish(appId: string, version: number): this {
    const app = this.state.app(appId)!;
    const { tenantId, entityVersion: _v, ...payload } = app;
    return this.upsert(appEntityId(appId), 'app', tenantId, { ...payload, tenantId, publishedVersion: version, latestVersion: Math.max(app.latestVersion, version) });
  }

  data(tenantId: string, name: string, version: number, data: unknown): this {
    this.upsert(dataVersionEntityId(tenantId, name, version), 'custom_data_version', tenantId, { tenantId, name, version, data, bytes: JSON.stringify(data).length, createdAt: 1, createdBy: 'test' });
    const set: CustomDataPayload = { tenantId, name, latestVersion: version, currentVersion: version, history: [], createdAt: 1 };
    return this.upsert(dataEntityId(tenantId, name), 'custom_data', tenantId, set);
  }

  /** Tenant acme, its providers and app acme.video (published version 1: best rtt). */
  static acme(source = bestRttSource): ConfigFixture {
    return new ConfigFixture()
      .tenant('acme')
      .provider('acme', { providerId: 'cdn-a', name: 'CDN A', cname: 'acme.cdn-a.net', url: 'https://acme.cdn-a.net' })
      .provider('acme', { providerId: 'cdn-b', name: 'CDN B', cname: 'acme.cdn-b.net', addresses: ['192.0.2.10', '2001:db8::10'] })
      .provider('acme', { providerId: 'origin', name: 'Origin', cname: 'origin.acme.example', url: 'https://origin.acme.example' })
      .app({ appId: 'acme.video', tenantId: 'acme', zone: 'acme-cdn.example', hostnames: ['www.acme-cdn.example', 'video.acme-cdn.example'] })
      .version({ appId: 'acme.video', tenantId: 'acme', version: 1, source })
      .publish('acme.video', 1);
  }
}
