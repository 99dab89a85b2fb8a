import { defineEntityType, heldOf, type Held } from './entity-type';
import { isObject, num, str, strings } from './json-shape';

/**
 * "app_version" entities (entityId "appver:<appId>:<n>", written once, never
 * changed): one uploaded version of a routing app, with the test cases it
 * passed.
 *
 *   AppVersionPayload { appId, tenantId, version, source, providers: [{ id, cname?, addresses?, url? }],
 *                       fallback: { provider, target?, ttl? }, ttl, settings, data: string[],
 *                       tests: [{ name, request, expect }], sourceSha256, createdAt, createdBy,
 *                       testReport: { passed, durationMs } }
 */
export const ENTITY_APP_VERSION = 'app_version';

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

export type AppVersion = AppVersionPayload & Held;

export function appVersionEntityId(appId: string, version: number): string {
  return `appver:${appId}:${version}`;
}

/** Key of an app version among the held versions (ConfigState.appVersion). */
export function appVersionKey(appId: string, version: number): string {
  return `${appId}:${version}`;
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

export const appVersionEntity = defineEntityType<AppVersionPayload, AppVersion>({
  type: ENTITY_APP_VERSION,
  parse: parseAppVersionPayload,
  hold: (version, meta) => ({ ...version, ...heldOf(meta) }),
  key: (version) => appVersionKey(version.appId, version.version),
  group: (version) => version.appId,
});
