import { createHash, randomBytes } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { ConfigChange, SchemaCodec } from '@vane/schemas';
import { physicalTopic, valueSubjectOf, type TopicNaming } from './naming';

/**
 * Typed configuration entities carried by `config.changes.v1` and an
 * in-memory view that follows that compacted topic.
 *
 * Record contract (schema: schemas/avro/config.changes.v1.avsc): key =
 * entityId; value = ConfigChange {entityId, entityType, tenantId, version, op,
 * at, actor, payload (JSON text of the whole entity after the change, null on
 * delete), checksum}. Folding the topic by entityId, keeping for each entity
 * the change with the highest version, gives the current configuration. A
 * change whose version is not above the one held is ignored; a Kafka tombstone
 * (null value) forgets the entity.
 *
 * Payload shapes, per entityType (JSON objects; unknown properties are kept by
 * writers and ignored by readers, so the config service may add properties):
 *
 * - "site" (entityId = siteId, e.g. "site_3kq9…"): SitePayload
 *     { siteId, domain, hostnames?: string[], providers?: string[], name?, createdAt }
 *   Beacons are accepted for `domain`, its subdomains and `hostnames`
 *   (exact). `providers` lists the provider entity ids that the session plan
 *   of this site's pages probes, in order.
 *
 * - "key" (entityId = keyEntityId(key) = "key_" + first 32 hex of SHA-256(key)): KeyPayload
 *     { keyHash, keyPrefix, siteId, scopes: KeyScope[], revoked, revokedAt?,
 *       rateLimitPerMinute?, dailyLimit?, createdAt }
 *   The key itself is never written to the topic: only its SHA-256 (hex) and
 *   its first 8 characters (for display). Scopes say which ingest endpoints
 *   the key may call. `rateLimitPerMinute` and `dailyLimit` override the
 *   gateway's defaults for this key.
 *
 * - "provider" (entityId = provider id, e.g. "cdn-a"): ProviderPayload
 *     { providerId, name?, probes: [{ type: "rtt" | "availability" | "throughput", url }] }
 *   What the RUM tag fetches to measure the provider.
 *
 *   Written by the config service (gateways/config) with the routing
 *   properties too: { …, cname?, addresses?: string[], url?, public? }.
 *   Provider ids are global (they key scores.v1); a provider belongs to the
 *   tenant that created it. `public` providers (set by operators) may be used
 *   by every tenant's sites and apps but changed by their owner only.
 *
 * Entities of the config service (gateways/config); ids carry a type prefix
 * so they never collide with site ("site_…"), key ("key_…") or provider ids:
 *
 * - "tenant" (entityId "tenant:<tenantId>"): TenantPayload { tenantId, name?, disabled?, createdAt }
 *
 * - "api_key" (entityId "apikey:" + first 32 hex of SHA-256(key)): ApiKeyPayload
 *     { keyHash, keyPrefix, tenantId, name?, role: "admin" | "read", revoked, revokedAt?, createdAt }
 *   A tenant's key for the config service API. As for site keys, only the hash is written.
 *
 * - "app" (entityId "app:<appId>", appId = "<tenantId>.<name>"): AppPayload
 *     { appId, tenantId, name, description?, zone?, hostnames: string[],
 *       latestVersion, publishedVersion (null until published),
 *       history: [{ action: "publish" | "rollback", version, previous, at, actor }], createdAt }
 *   `zone` is the DNS zone the app answers in (SOA/NS at its apex);
 *   `hostnames` are names in that zone (exact, or "*.<suffix>" wildcards).
 *
 * - "app_version" (entityId "appver:<appId>:<n>", written once, never changed): AppVersionPayload
 *     { appId, tenantId, version, source, providers: [{ id, cname?, addresses?, url? }],
 *       fallback: { provider, target?, ttl? }, ttl, settings, data: string[],
 *       tests: [{ name, request, expect }], sourceSha256, createdAt, createdBy,
 *       testReport: { passed, durationMs } }
 *
 * - "custom_data" (entityId "data:<tenantId>:<name>"): CustomDataPayload
 *     { tenantId, name, latestVersion, currentVersion, history, createdAt }
 * - "custom_data_version" (entityId "datav:<tenantId>:<name>:<n>", written once): CustomDataVersionPayload
 *     { tenantId, name, version, data (any JSON), bytes, createdAt, createdBy }
 */

export const ENTITY_SITE = 'site';
export const ENTITY_KEY = 'key';
export const ENTITY_PROVIDER = 'provider';
export const ENTITY_TENANT = 'tenant';
export const ENTITY_API_KEY = 'api_key';
export const ENTITY_APP = 'app';
export const ENTITY_APP_VERSION = 'app_version';
export const ENTITY_CUSTOM_DATA = 'custom_data';
export const ENTITY_CUSTOM_DATA_VERSION = 'custom_data_version';

/** Roles of config-service API keys: "admin" may change the tenant's objects, "read" may only read them. */
export const apiKeyRoles = ['admin', 'read'] as const;
export type ApiKeyRole = (typeof apiKeyRoles)[number];

/** The ingest endpoints a key may be allowed to call. */
export const keyScopes = ['beacon', 'logs', 'measurements', 'events'] as const;
export type KeyScope = (typeof keyScopes)[number];

export const probeTypes = ['rtt', 'availability', 'throughput'] as const;
export type ProbeType = (typeof probeTypes)[number];

export interface SitePayload {
  siteId: string;
  domain: string;
  /** Extra hostnames accepted exactly (e.g. "localhost", "127.0.0.1", a staging host). */
  hostnames?: string[];
  /** Provider entity ids the RUM tag of this site probes. */
  providers?: string[];
  name?: string;
  createdAt: number;
}

export interface KeyPayload {
  /** Lower-case hex SHA-256 of the UTF-8 key. */
  keyHash: string;
  /** First 8 characters of the key, for display only. */
  keyPrefix: string;
  siteId: string;
  scopes: KeyScope[];
  revoked: boolean;
  revokedAt?: number;
  rateLimitPerMinute?: number;
  dailyLimit?: number;
  createdAt: number;
}

export interface ProbeTarget {
  type: ProbeType;
  url: string;
}

export interface ProviderPayload {
  providerId: string;
  name?: string;
  probes: ProbeTarget[];
  /** Default CNAME target of the provider (e.g. "acme.cdn-a.net"); apps may override it. */
  cname?: string;
  /** Default addresses (IPv4 and/or IPv6) answered for the provider. */
  addresses?: string[];
  /** Default base URL for HTTP redirects (e.g. "https://acme.cdn-a.net"). */
  url?: string;
  /** Usable by every tenant (operators only). */
  public?: boolean;
}

export interface TenantPayload {
  tenantId: string;
  name?: string;
  disabled?: boolean;
  createdAt: number;
}

export interface ApiKeyPayload {
  keyHash: string;
  keyPrefix: string;
  tenantId: string;
  name?: string;
  role: ApiKeyRole;
  revoked: boolean;
  revokedAt?: number;
  createdAt: number;
}

/** How an app answers for one of its providers; unset fields default to the provider's own. */
export interface AppProviderBinding {
  id: string;
  cname?: string;
  addresses?: string[];
  url?: string;
}

/** The answer given when the app cannot decide (throws, times out, runs out of memory, answers nothing or nonsense). */
export interface AppFallback {
  provider: string;
  /** A CNAME target, address(es) or URL; default: the provider binding's. */
  target?: string | string[];
  ttl?: number;
}

/** A test case shipped with an app version: a (partial) request and what the app must answer. */
export interface AppTestCase {
  name: string;
  /** Partial app request (see @vane/apps AppRequest); missing fields get neutral defaults. */
  request: Record<string, unknown>;
  expect: AppTestExpectation;
}

export interface AppTestExpectation {
  provider?: string | null;
  target?: string | string[];
  ttl?: number;
  reason?: string;
  fallback?: boolean;
}

export interface AppHistoryEntry {
  action: 'publish' | 'rollback';
  version: number;
  previous: number | null;
  at: number;
  actor: string;
}

export interface AppPayload {
  appId: string;
  tenantId: string;
  name: string;
  description?: string;
  zone?: string;
  hostnames: string[];
  latestVersion: number;
  publishedVersion: number | null;
  history: AppHistoryEntry[];
  createdAt: number;
}

export interface AppVersionPayload {
  appId: string;
  tenantId: string;
  version: number;
  source: string;
  providers: AppProviderBinding[];
  fallback: AppFallback;
  /** Default TTL of answers, seconds. */
  ttl: number;
  /** Free JSON handed to init(config) and to every request as request.settings. */
  settings: unknown;
  /** Names of the tenant's custom data sets the app reads (request.data[name]). */
  data: string[];
  tests: AppTestCase[];
  sourceSha256: string;
  createdAt: number;
  createdBy: string;
  testReport?: { passed: number; durationMs: number };
}

export interface DataHistoryEntry {
  action: 'push' | 'rollback';
  version: number;
  previous: number | null;
  at: number;
  actor: string;
}

export interface CustomDataPayload {
  tenantId: string;
  name: string;
  latestVersion: number;
  currentVersion: number;
  history: DataHistoryEntry[];
  createdAt: number;
}

export interface CustomDataVersionPayload {
  tenantId: string;
  name: string;
  version: number;
  data: unknown;
  bytes: number;
  createdAt: number;
  createdBy: string;
}

/** One entity as folded from the topic, payload parsed from JSON but not checked against a type. */
export interface ConfigEntity {
  entityId: string;
  entityType: string;
  tenantId: string;
  version: number;
  at: number;
  /** Who made the change (ConfigChange.actor). */
  actor?: string;
  /** SHA-256 of the payload JSON as written (ConfigChange.checksum). */
  checksum?: string | null;
  payload: unknown;
}

export interface Site extends SitePayload {
  tenantId: string;
  version: number;
}

export interface SiteKey extends KeyPayload {
  entityId: string;
  tenantId: string;
  version: number;
}

export interface Provider extends ProviderPayload {
  tenantId: string;
  version: number;
}

interface Held {
  tenantId: string;
  /** Entity version (config.changes.v1), not the app or data version. */
  entityVersion: number;
}

export type Tenant = TenantPayload & Held;
export type ApiKey = ApiKeyPayload & Held & { entityId: string };
export type App = AppPayload & Held;
export type AppVersion = AppVersionPayload & Held;
export type CustomData = CustomDataPayload & Held;
export type CustomDataVersion = CustomDataVersionPayload & Held;

// ---------------------------------------------------------------- ids and keys

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** A new site id: "site_" + 16 base62 characters. */
export function newSiteId(): string {
  return `site_${randomToken(16)}`;
}

/** A new site key: "vk_" + 32 base62 characters (about 190 bits). */
export function newSiteKey(): string {
  return `vk_${randomToken(32)}`;
}

export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** entityId of the key entity of `key` (derived from its hash: the key is never on the topic). */
export function keyEntityId(key: string): string {
  return `key_${keyHash(key).slice(0, 32)}`;
}

/** A new config-service API key: "vck_" + 32 base62 characters. */
export function newApiKey(): string {
  return `vck_${randomToken(32)}`;
}

export function apiKeyEntityId(key: string): string {
  return `apikey:${keyHash(key).slice(0, 32)}`;
}

export function tenantEntityId(tenantId: string): string {
  return `tenant:${tenantId}`;
}

export function appEntityId(appId: string): string {
  return `app:${appId}`;
}

export function appVersionEntityId(appId: string, version: number): string {
  return `appver:${appId}:${version}`;
}

export function dataEntityId(tenantId: string, name: string): string {
  return `data:${tenantId}:${name}`;
}

export function dataVersionEntityId(tenantId: string, name: string, version: number): string {
  return `datav:${tenantId}:${name}:${version}`;
}

// ------------------------------------------------------------- payload parsing

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** A site payload, or null when the JSON does not have the site shape. */
export function parseSitePayload(payload: unknown): SitePayload | null {
  if (!isObject(payload)) return null;
  const siteId = str(payload.siteId);
  const domain = str(payload.domain);
  if (!siteId || !domain) return null;
  return {
    siteId,
    domain: domain.toLowerCase(),
    hostnames: strings(payload.hostnames)?.map((h) => h.toLowerCase()),
    providers: strings(payload.providers),
    name: str(payload.name),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export function parseKeyPayload(payload: unknown): KeyPayload | null {
  if (!isObject(payload)) return null;
  const hash = str(payload.keyHash);
  const siteId = str(payload.siteId);
  if (!hash || !/^[0-9a-f]{64}$/.test(hash) || !siteId) return null;
  const scopes = (strings(payload.scopes) ?? []).filter((s): s is KeyScope => (keyScopes as readonly string[]).includes(s));
  return {
    keyHash: hash,
    keyPrefix: str(payload.keyPrefix) ?? '',
    siteId,
    scopes,
    revoked: payload.revoked === true,
    revokedAt: num(payload.revokedAt),
    rateLimitPerMinute: num(payload.rateLimitPerMinute),
    dailyLimit: num(payload.dailyLimit),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export function parseProviderPayload(payload: unknown): ProviderPayload | null {
  if (!isObject(payload)) return null;
  const providerId = str(payload.providerId);
  if (!providerId || !Array.isArray(payload.probes)) return null;
  const probes: ProbeTarget[] = [];
  for (const p of payload.probes) {
    if (!isObject(p)) continue;
    const type = str(p.type);
    const url = str(p.url);
    if (type && url && (probeTypes as readonly string[]).includes(type)) probes.push({ type: type as ProbeType, url });
  }
  const provider: ProviderPayload = { providerId, name: str(payload.name), probes };
  const cname = str(payload.cname);
  const addresses = strings(payload.addresses);
  const url = str(payload.url);
  if (cname) provider.cname = cname.toLowerCase();
  if (addresses) provider.addresses = addresses;
  if (url) provider.url = url;
  if (payload.public === true) provider.public = true;
  return provider;
}

export function parseTenantPayload(payload: unknown): TenantPayload | null {
  if (!isObject(payload)) return null;
  const tenantId = str(payload.tenantId);
  if (!tenantId) return null;
  return { tenantId, name: str(payload.name), disabled: payload.disabled === true, createdAt: num(payload.createdAt) ?? 0 };
}

export function parseApiKeyPayload(payload: unknown): ApiKeyPayload | null {
  if (!isObject(payload)) return null;
  const hash = str(payload.keyHash);
  const tenantId = str(payload.tenantId);
  if (!hash || !/^[0-9a-f]{64}$/.test(hash) || !tenantId) return null;
  const role = (apiKeyRoles as readonly unknown[]).includes(payload.role) ? (payload.role as ApiKeyRole) : 'read';
  return {
    keyHash: hash,
    keyPrefix: str(payload.keyPrefix) ?? '',
    tenantId,
    name: str(payload.name),
    role,
    revoked: payload.revoked === true,
    revokedAt: num(payload.revokedAt),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

function history<T extends { action: string }>(value: unknown, actions: readonly T['action'][]): T[] {
  if (!Array.isArray(value)) return [];
  return value.filter((h): h is T => isObject(h) && actions.includes(h.action as T['action']) && typeof h.version === 'number');
}

export function parseAppPayload(payload: unknown): AppPayload | null {
  if (!isObject(payload)) return null;
  const appId = str(payload.appId);
  const tenantId = str(payload.tenantId);
  if (!appId || !tenantId) return null;
  const published = num(payload.publishedVersion);
  return {
    appId,
    tenantId,
    name: str(payload.name) ?? appId,
    description: str(payload.description),
    zone: str(payload.zone)?.toLowerCase(),
    hostnames: (strings(payload.hostnames) ?? []).map((h) => h.toLowerCase()),
    latestVersion: num(payload.latestVersion) ?? 0,
    publishedVersion: published ?? null,
    history: history<AppHistoryEntry>(payload.history, ['publish', 'rollback']),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

function bindings(value: unknown): AppProviderBinding[] {
  if (!Array.isArray(value)) return [];
  const out: AppProviderBinding[] = [];
  for (const b of value) {
    if (!isObject(b) || !str(b.id)) continue;
    const binding: AppProviderBinding = { id: str(b.id)! };
    if (str(b.cname)) binding.cname = str(b.cname)!.toLowerCase();
    if (strings(b.addresses)) binding.addresses = strings(b.addresses);
    if (str(b.url)) binding.url = str(b.url);
    out.push(binding);
  }
  return out;
}

export function parseAppVersionPayload(payload: unknown): AppVersionPayload | null {
  if (!isObject(payload)) return null;
  const appId = str(payload.appId);
  const tenantId = str(payload.tenantId);
  const version = num(payload.version);
  const source = typeof payload.source === 'string' ? payload.source : undefined;
  const fallback = isObject(payload.fallback) ? payload.fallback : undefined;
  if (!appId || !tenantId || version === undefined || source === undefined || !fallback || !str(fallback.provider)) return null;
  const target = typeof fallback.target === 'string' ? fallback.target : strings(fallback.target);
  const tests = Array.isArray(payload.tests)
    ? payload.tests.filter((t): t is AppTestCase => isObject(t) && typeof t.name === 'string' && isObject(t.request) && isObject(t.expect))
    : [];
  const report = isObject(payload.testReport) ? payload.testReport : undefined;
  return {
    appId,
    tenantId,
    version,
    source,
    providers: bindings(payload.providers),
    fallback: { provider: str(fallback.provider)!, ...(target !== undefined ? { target } : {}), ...(num(fallback.ttl) !== undefined ? { ttl: num(fallback.ttl) } : {}) },
    ttl: num(payload.ttl) ?? 60,
    settings: payload.settings ?? null,
    data: strings(payload.data) ?? [],
    tests,
    sourceSha256: str(payload.sourceSha256) ?? '',
    createdAt: num(payload.createdAt) ?? 0,
    createdBy: str(payload.createdBy) ?? '',
    testReport: report ? { passed: num(report.passed) ?? 0, durationMs: num(report.durationMs) ?? 0 } : undefined,
  };
}

export function parseCustomDataPayload(payload: unknown): CustomDataPayload | null {
  if (!isObject(payload)) return null;
  const tenantId = str(payload.tenantId);
  const name = str(payload.name);
  const current = num(payload.currentVersion);
  if (!tenantId || !name || current === undefined) return null;
  return {
    tenantId,
    name,
    latestVersion: num(payload.latestVersion) ?? current,
    currentVersion: current,
    history: history<DataHistoryEntry>(payload.history, ['push', 'rollback']),
    createdAt: num(payload.createdAt) ?? 0,
  };
}

export function parseCustomDataVersionPayload(payload: unknown): CustomDataVersionPayload | null {
  if (!isObject(payload)) return null;
  const tenantId = str(payload.tenantId);
  const name = str(payload.name);
  const version = num(payload.version);
  if (!tenantId || !name || version === undefined || !('data' in payload)) return null;
  return { tenantId, name, version, data: payload.data, bytes: num(payload.bytes) ?? 0, createdAt: num(payload.createdAt) ?? 0, createdBy: str(payload.createdBy) ?? '' };
}

// ------------------------------------------------------------------- the fold

/**
 * The current configuration, folded from ConfigChange records. Pure: no I/O.
 * Typed lookups parse an entity's payload once, when the change is applied;
 * an entity whose payload does not have its type's shape is held raw only.
 */
export class ConfigState {
  private readonly entities = new Map<string, ConfigEntity>();
  private readonly sites = new Map<string, Site>();
  private readonly keysByHash = new Map<string, SiteKey>();
  private readonly providers = new Map<string, Provider>();
  private readonly tenants = new Map<string, Tenant>();
  private readonly apiKeysByHash = new Map<string, ApiKey>();
  private readonly apps = new Map<string, App>();
  /** appId → version → the version entity. */
  private readonly appVersions = new Map<string, Map<number, AppVersion>>();
  /** "<tenantId>:<name>" → the data set. */
  private readonly dataSets = new Map<string, CustomData>();
  private readonly dataVersions = new Map<string, Map<number, CustomDataVersion>>();
  private readonly listeners = new Set<(entity: ConfigEntity, op: 'upsert' | 'delete') => void>();
  /** SHA-256 of recently presented keys (a hash per request is measurable at beacon rates). */
  private readonly presentedHashes = new Map<string, string>();

  /** Applies one change; false when it was ignored (an old version, or unreadable JSON). */
  apply(change: ConfigChange): boolean {
    const held = this.entities.get(change.entityId);
    if (held && change.version <= held.version) return false;
    if (change.op === 'delete') {
      this.forget(change.entityId);
      // Remember the version so that a late, older upsert is still ignored.
      this.entities.set(change.entityId, { ...this.base(change), payload: null });
      this.notify(this.entities.get(change.entityId)!, 'delete');
      return true;
    }
    let payload: unknown;
    try {
      payload = change.payload === null ? null : (JSON.parse(change.payload) as unknown);
    } catch {
      return false;
    }
    this.forget(change.entityId);
    const entity: ConfigEntity = { ...this.base(change), payload };
    this.entities.set(change.entityId, entity);
    const meta = { tenantId: change.tenantId, version: change.version };
    if (change.entityType === ENTITY_SITE) {
      const site = parseSitePayload(payload);
      if (site) this.sites.set(change.entityId, { ...site, ...meta });
    } else if (change.entityType === ENTITY_KEY) {
      const key = parseKeyPayload(payload);
      if (key) this.keysByHash.set(key.keyHash, { ...key, ...meta, entityId: change.entityId });
    } else if (change.entityType === ENTITY_PROVIDER) {
      const provider = parseProviderPayload(payload);
      if (provider) this.providers.set(change.entityId, { ...provider, ...meta });
    } else {
      this.index(change.entityId, change.entityType, payload, { tenantId: change.tenantId, entityVersion: change.version });
    }
    this.notify(entity, 'upsert');
    return true;
  }

  /** A Kafka tombstone (null value) for `entityId`: the entity is gone, whatever its version. */
  tombstone(entityId: string): void {
    const held = this.entities.get(entityId);
    this.forget(entityId);
    this.entities.delete(entityId);
    if (held) this.notify({ ...held, payload: null }, 'delete');
  }

  private base(change: ConfigChange): Omit<ConfigEntity, 'payload'> {
    return {
      entityId: change.entityId,
      entityType: change.entityType,
      tenantId: change.tenantId,
      version: change.version,
      at: change.at,
      actor: change.actor,
      checksum: change.checksum,
    };
  }

  /** Typed indexes of the config service's entities. The owning tenant is the change's tenantId, whatever the payload says. */
  private index(entityId: string, entityType: string, payload: unknown, held: Held): void {
    const tenantId = held.tenantId;
    if (entityType === ENTITY_TENANT) {
      const tenant = parseTenantPayload(payload);
      if (tenant) this.tenants.set(tenant.tenantId, { ...tenant, ...held });
    } else if (entityType === ENTITY_API_KEY) {
      const key = parseApiKeyPayload(payload);
      if (key) this.apiKeysByHash.set(key.keyHash, { ...key, ...held, tenantId, entityId });
    } else if (entityType === ENTITY_APP) {
      const app = parseAppPayload(payload);
      if (app) this.apps.set(app.appId, { ...app, ...held, tenantId });
    } else if (entityType === ENTITY_APP_VERSION) {
      const version = parseAppVersionPayload(payload);
      if (version) {
        let versions = this.appVersions.get(version.appId);
        if (!versions) this.appVersions.set(version.appId, (versions = new Map()));
        versions.set(version.version, { ...version, ...held, tenantId });
      }
    } else if (entityType === ENTITY_CUSTOM_DATA) {
      const data = parseCustomDataPayload(payload);
      if (data) this.dataSets.set(`${tenantId}:${data.name}`, { ...data, ...held, tenantId });
    } else if (entityType === ENTITY_CUSTOM_DATA_VERSION) {
      const version = parseCustomDataVersionPayload(payload);
      if (version) {
        const id = `${tenantId}:${version.name}`;
        let versions = this.dataVersions.get(id);
        if (!versions) this.dataVersions.set(id, (versions = new Map()));
        versions.set(version.version, { ...version, ...held, tenantId });
      }
    }
  }

  private forget(entityId: string): void {
    const held = this.entities.get(entityId);
    if (!held) return;
    this.sites.delete(entityId);
    this.providers.delete(entityId);
    if (held.entityType === ENTITY_KEY) {
      const key = parseKeyPayload(held.payload);
      if (key && this.keysByHash.get(key.keyHash)?.entityId === entityId) this.keysByHash.delete(key.keyHash);
    } else if (held.entityType === ENTITY_TENANT) {
      const tenant = parseTenantPayload(held.payload);
      if (tenant) this.tenants.delete(tenant.tenantId);
    } else if (held.entityType === ENTITY_API_KEY) {
      const key = parseApiKeyPayload(held.payload);
      if (key && this.apiKeysByHash.get(key.keyHash)?.entityId === entityId) this.apiKeysByHash.delete(key.keyHash);
    } else if (held.entityType === ENTITY_APP) {
      const app = parseAppPayload(held.payload);
      if (app) this.apps.delete(app.appId);
    } else if (held.entityType === ENTITY_APP_VERSION) {
      const version = parseAppVersionPayload(held.payload);
      if (version) this.appVersions.get(version.appId)?.delete(version.version);
    } else if (held.entityType === ENTITY_CUSTOM_DATA) {
      const data = parseCustomDataPayload(held.payload);
      if (data) this.dataSets.delete(`${held.tenantId}:${data.name}`);
    } else if (held.entityType === ENTITY_CUSTOM_DATA_VERSION) {
      const version = parseCustomDataVersionPayload(held.payload);
      if (version) this.dataVersions.get(`${held.tenantId}:${version.name}`)?.delete(version.version);
    }
  }

  private notify(entity: ConfigEntity, op: 'upsert' | 'delete'): void {
    for (const listener of this.listeners) listener(entity, op);
  }

  /** Called after every applied change; returns an unsubscribe function. */
  onChange(listener: (entity: ConfigEntity, op: 'upsert' | 'delete') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  site(siteId: string): Site | undefined {
    return this.sites.get(siteId);
  }

  /** The key entity for a presented key (looked up by hash), revoked or not. */
  key(presented: string): SiteKey | undefined {
    let hash = this.presentedHashes.get(presented);
    if (hash === undefined) {
      hash = keyHash(presented);
      if (this.presentedHashes.size >= 10_000) this.presentedHashes.clear();
      this.presentedHashes.set(presented, hash);
    }
    return this.keysByHash.get(hash);
  }

  provider(providerId: string): Provider | undefined {
    return this.providers.get(providerId);
  }

  /** Any entity, of any type, as held (deleted entities have a null payload). */
  entity(entityId: string): ConfigEntity | undefined {
    return this.entities.get(entityId);
  }

  /** Live (not deleted) entities by type, e.g. for a type this module does not know. */
  entitiesOfType(entityType: string): ConfigEntity[] {
    return [...this.entities.values()].filter((e) => e.entityType === entityType && e.payload !== null);
  }

  tenant(tenantId: string): Tenant | undefined {
    return this.tenants.get(tenantId);
  }

  allTenants(): Tenant[] {
    return [...this.tenants.values()];
  }

  /** The config-service API key for a presented key (looked up by hash), revoked or not. */
  apiKey(presented: string): ApiKey | undefined {
    return this.apiKeysByHash.get(keyHash(presented));
  }

  apiKeysOf(tenantId: string): ApiKey[] {
    return [...this.apiKeysByHash.values()].filter((k) => k.tenantId === tenantId);
  }

  app(appId: string): App | undefined {
    return this.apps.get(appId);
  }

  allApps(): App[] {
    return [...this.apps.values()];
  }

  appVersion(appId: string, version: number): AppVersion | undefined {
    return this.appVersions.get(appId)?.get(version);
  }

  /** Every held version of an app, oldest first. */
  appVersionsOf(appId: string): AppVersion[] {
    return [...(this.appVersions.get(appId)?.values() ?? [])].sort((a, b) => a.version - b.version);
  }

  customData(tenantId: string, name: string): CustomData | undefined {
    return this.dataSets.get(`${tenantId}:${name}`);
  }

  customDataOf(tenantId: string): CustomData[] {
    return [...this.dataSets.values()].filter((d) => d.tenantId === tenantId);
  }

  customDataVersion(tenantId: string, name: string, version: number): CustomDataVersion | undefined {
    return this.dataVersions.get(`${tenantId}:${name}`)?.get(version);
  }

  /** Every held version of a data set, oldest first. */
  customDataVersionsOf(tenantId: string, name: string): CustomDataVersion[] {
    return [...(this.dataVersions.get(`${tenantId}:${name}`)?.values() ?? [])].sort((a, b) => a.version - b.version);
  }

  /** Every provider held (any tenant). */
  allProviders(): Provider[] {
    return [...this.providers.values()];
  }

  counts(): Record<string, number> {
    return {
      sites: this.sites.size,
      keys: this.keysByHash.size,
      providers: this.providers.size,
      tenants: this.tenants.size,
      apps: this.apps.size,
      entities: this.entities.size,
    };
  }
}

// ------------------------------------------------------------ writing changes

export interface ChangeInput {
  entityId: string;
  entityType: string;
  tenantId: string;
  version: number;
  op: 'upsert' | 'delete';
  actor: string;
  payload: object | null;
  at?: number;
}

/** A ConfigChange record for `input`, with the payload serialised and its checksum. */
export function configChange(input: ChangeInput): ConfigChange {
  const payload = input.op === 'delete' || input.payload === null ? null : JSON.stringify(input.payload);
  return {
    entityId: input.entityId,
    entityType: input.entityType,
    tenantId: input.tenantId,
    version: input.version,
    op: input.op,
    at: input.at ?? Date.now(),
    actor: input.actor,
    payload,
    checksum: payload === null ? null : createHash('sha256').update(payload, 'utf8').digest('hex'),
  };
}

/** Writes changes to config.changes.v1 (keyed by entityId, acks=all), in order. */
export async function writeConfigChanges(
  producer: Producer,
  codec: SchemaCodec,
  naming: TopicNaming,
  changes: readonly ConfigChange[],
): Promise<void> {
  const subject = valueSubjectOf('config.changes.v1', naming);
  const messages = [];
  for (const change of changes) messages.push({ key: change.entityId, value: await codec.encode(subject, change) });
  await producer.send({ topic: physicalTopic('config.changes.v1', naming), acks: -1, messages });
}

/** Kafka tombstones (null values) for entities to forget entirely (compaction then removes them). */
export async function writeConfigTombstones(producer: Producer, naming: TopicNaming, entityIds: readonly string[]): Promise<void> {
  if (entityIds.length === 0) return;
  await producer.send({ topic: physicalTopic('config.changes.v1', naming), acks: -1, messages: entityIds.map((key) => ({ key, value: null })) });
}

// ------------------------------------------------------------- following it

export interface ConfigViewOptions {
  kafka: Kafka;
  codec: SchemaCodec;
  naming: TopicNaming;
  /** Prefix of the view's private consumer group id (a random suffix is added: every view reads everything). */
  groupPrefix?: string;
  /** Called for records that cannot be decoded (they are skipped). */
  onError?: (error: unknown) => void;
}

/**
 * Follows config.changes.v1 from the beginning into a ConfigState and keeps
 * following it. `start()` resolves once the view has read up to the end of the
 * topic as it was when start() was called, so a gateway never answers from a
 * partial configuration. Nothing is committed: every start re-reads the
 * compacted topic.
 */
export class ConfigView {
  readonly state = new ConfigState();
  private consumer: Consumer | undefined;
  private readonly positions = new Map<number, bigint>();
  private caughtUp = false;
  private caughtUpWaiters: (() => void)[] = [];
  private targets = new Map<number, bigint>();
  private stopped = false;

  constructor(private readonly options: ConfigViewOptions) {}

  get ready(): boolean {
    return this.caughtUp;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const { kafka, naming } = this.options;
    const topic = physicalTopic('config.changes.v1', naming);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const o of offsets) {
        const high = BigInt(o.high);
        const low = BigInt(o.low);
        if (high > low) this.targets.set(o.partition, high);
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({
      groupId: `${this.options.groupPrefix ?? 'vane-config-view'}-${randomBytes(6).toString('hex')}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // Keep following through broker outages (kafkajs would give up on some errors), until stop().
      retry: { retries: 10, restartOnFailure: async () => !this.stopped },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    this.checkCaughtUp();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const entityId = message.key?.toString('utf8') ?? '';
          if (message.value === null) {
            if (entityId) this.state.tombstone(entityId);
          } else {
            try {
              const { value } = await this.options.codec.decode<ConfigChange>(message.value);
              this.state.apply(value);
            } catch (error) {
              this.options.onError?.(error);
            }
          }
          this.positions.set(batch.partition, BigInt(message.offset) + 1n);
        }
        // A compacted partition may end in removed offsets: the high watermark is the target.
        this.positions.set(batch.partition, BigInt(batch.highWatermark));
        this.checkCaughtUp();
      },
    });
    if (!this.caughtUp) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`config view did not catch up with ${topic} within ${timeoutMs} ms`)), timeoutMs);
        this.caughtUpWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private checkCaughtUp(): void {
    if (this.caughtUp) return;
    for (const [partition, target] of this.targets) {
      if ((this.positions.get(partition) ?? 0n) < target) return;
    }
    this.caughtUp = true;
    for (const waiter of this.caughtUpWaiters.splice(0)) waiter();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}
