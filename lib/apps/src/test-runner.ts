import type { AppFallback, AppTestCase, AppTestExpectation } from '@vane/config-model';
import { locationKeysOf, type LocationLevel } from '@vane/schemas';
import type { AppNetwork, AppProvider, AppRequest, AppScore, AppStatics } from './app-request';
import { decide, parseTarget, type Decision } from './decision';
import { AppSandbox, type AppCode } from './sandbox';
import type { SandboxLimits } from './sandbox-limits';

/**
 * Runs the test cases shipped with an app version, in a sandbox with the same
 * limits as the gateways' and through the same decision path (answer checks,
 * fallback), so a case that passes here answers the same in production.
 *
 * A case's `request` is a partial AppRequest: missing fields get neutral
 * defaults (protocol "dns", qtype "A", hostname "test.invalid", client
 * 192.0.2.0/24 with no GeoIP facts, no scores); `scores` entries may be
 * partial too; `data` gives the custom data sets the case runs with.
 * `expect` lists what must hold: provider (null = no answer), target (a
 * CNAME, address, address list or URL), ttl, reason, fallback.
 */

export interface AppUnderTest extends AppCode {
  providers: AppProvider[];
  fallback: AppFallback;
  ttl: number;
  settings: unknown;
  tests: AppTestCase[];
}

export interface CaseActual {
  provider: string | null;
  target: string | string[] | null;
  ttl: number;
  reason: string;
  fallback: boolean;
  error: string | null;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  /** Expectation fields that did not hold. */
  mismatches: string[];
  expected: AppTestExpectation;
  actual: CaseActual;
  micros: number;
}

export interface TestReport {
  passed: boolean;
  cases: CaseResult[];
  /** The first failing case, when any failed. */
  failing: CaseResult | null;
  durationMs: number;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function strOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function network(value: unknown, ip: string): AppNetwork {
  const v = isObject(value) ? value : {};
  return {
    ip: strOrNull(v.ip) ?? ip,
    country: strOrNull(v.country),
    continent: strOrNull(v.continent),
    region: strOrNull(v.region),
    asn: numOrNull(v.asn),
    asnOrg: strOrNull(v.asnOrg),
  };
}

function score(value: unknown): AppScore {
  const v = isObject(value) ? value : {};
  const level = strOrNull(v.level) ?? ('global' satisfies LocationLevel);
  return {
    level,
    locationKey: strOrNull(v.locationKey) ?? level,
    rttP50: numOrNull(v.rttP50),
    rttP90: numOrNull(v.rttP90),
    availability: numOrNull(v.availability),
    throughputP50: numOrNull(v.throughputP50),
    samples: numOrNull(v.samples) ?? 100,
    confidence: numOrNull(v.confidence) ?? 1,
    computedAt: numOrNull(v.computedAt) ?? 0,
  };
}

/** A full AppRequest from a test case's partial one. */
export function testRequest(partial: Json, app: { id: string; version: number }): AppRequest {
  const protocol = partial.protocol === 'http' ? 'http' : 'dns';
  const client = network(partial.client, '192.0.2.0/24');
  const scores: Record<string, AppScore> = {};
  if (isObject(partial.scores)) for (const [id, s] of Object.entries(partial.scores)) scores[id] = score(s);
  const ecs = isObject(partial.ecs) && typeof partial.ecs.subnet === 'string' ? { subnet: partial.ecs.subnet, sourcePrefix: numOrNull(partial.ecs.sourcePrefix) ?? 24 } : null;
  return {
    protocol,
    hostname: strOrNull(partial.hostname)?.toLowerCase() ?? 'test.invalid',
    qtype: protocol === 'dns' ? (strOrNull(partial.qtype)?.toUpperCase() ?? 'A') : null,
    path: protocol === 'http' ? (strOrNull(partial.path) ?? '/') : null,
    client,
    resolver: partial.resolver === undefined || partial.resolver === null ? null : network(partial.resolver, '198.51.100.0/24'),
    ecs,
    locationKeys: locationKeysOf(client),
    scores,
    now: numOrNull(partial.now) ?? 0,
    app,
  };
}

function targetOf(decision: Decision): string | string[] | null {
  if (decision.addresses.length > 1) return decision.addresses;
  if (decision.addresses.length === 1) return decision.addresses[0]!;
  return decision.cname ?? decision.url;
}

function sameTarget(expected: string | string[], decision: Decision): boolean {
  const want = parseTarget(expected);
  if (!want) return false;
  if (want.cname !== null) return decision.cname === want.cname;
  if (want.url !== null) return decision.url === want.url;
  const got = [...decision.addresses].sort();
  const exp = [...want.addresses].sort();
  return got.length === exp.length && got.every((a, i) => a === exp[i]);
}

function mismatchesOf(expect: AppTestExpectation, decision: Decision): string[] {
  const out: string[] = [];
  if ('provider' in expect && expect.provider !== decision.provider) out.push('provider');
  if (expect.target !== undefined && !sameTarget(expect.target, decision)) out.push('target');
  if (expect.ttl !== undefined && expect.ttl !== decision.ttl) out.push('ttl');
  if (expect.reason !== undefined && expect.reason !== decision.reason) out.push('reason');
  if (expect.fallback !== undefined && expect.fallback !== decision.fallback) out.push('fallback');
  return out;
}

export function initConfigOf(app: Pick<AppUnderTest, 'appId' | 'version' | 'providers' | 'settings'>): unknown {
  return { app: { id: app.appId, version: app.version }, providers: app.providers, settings: app.settings };
}

export function staticsOf(app: Pick<AppUnderTest, 'providers' | 'settings'>, data: Record<string, unknown>): AppStatics {
  return { providers: app.providers, settings: app.settings, data };
}

/**
 * Loads the app (VANE_ERR_APP_COMPILE / VANE_ERR_APP_INIT when it cannot) and
 * runs every case in order; the report names the first failing one.
 */
export async function runAppTests(app: AppUnderTest, limits?: Partial<SandboxLimits>): Promise<TestReport> {
  const started = Date.now();
  const empty = JSON.stringify(staticsOf(app, {}));
  const sandbox = await AppSandbox.load(app, initConfigOf(app), { stamp: 'none', json: empty }, { limits });
  const cases: CaseResult[] = [];
  try {
    const ctx = { providers: app.providers, fallback: app.fallback, ttl: app.ttl };
    let i = 0;
    for (const test of app.tests) {
      const data = isObject(test.request.data) ? test.request.data : {};
      const statics = { stamp: `case-${i++}`, json: JSON.stringify(staticsOf(app, data)) };
      const request = testRequest(test.request, { id: app.appId, version: app.version });
      const outcome = await sandbox.run(JSON.stringify(request), statics);
      const decision = decide(outcome, ctx);
      const mismatches = mismatchesOf(test.expect, decision);
      cases.push({
        name: test.name,
        passed: mismatches.length === 0,
        mismatches,
        expected: test.expect,
        actual: { provider: decision.provider, target: targetOf(decision), ttl: decision.ttl, reason: decision.reason, fallback: decision.fallback, error: decision.error },
        micros: outcome.micros,
      });
    }
  } finally {
    sandbox.dispose();
  }
  const failing = cases.find((c) => !c.passed) ?? null;
  return { passed: failing === null, cases, failing, durationMs: Date.now() - started };
}
