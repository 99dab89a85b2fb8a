import { createHash } from 'node:crypto';
import { MAX_TTL, fallbackDecision, parseTarget, runAppTests, type AppProvider, type TestReport } from '@vane/apps';
import { VaneError } from '@vane/core';
import type { AppFallback, AppProviderBinding, AppTestCase, AppVersionPayload, ConfigState } from '@vane/config-model';
import { visibleProvider } from './routes/providers';
import { NAME, check, checkAddresses, checkHostname, checkUrl, jsonBytes } from './validation';

/**
 * What a customer uploads as a new app version, its checks, and the test run
 * that decides whether it is accepted: the source compiles and loads in a
 * sandbox with the gateways' limits, and every test case answers what it
 * expects. A refused version is never written.
 */
export interface AppVersionInput {
  source: string;
  providers: AppProviderBinding[];
  fallback: AppFallback;
  ttl?: number;
  settings?: unknown;
  data?: string[];
  tests: AppTestCase[];
}

export const appVersionBodySchema = {
  type: 'object',
  required: ['source', 'providers', 'fallback', 'tests'],
  additionalProperties: false,
  properties: {
    source: { type: 'string', minLength: 1 },
    providers: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        type: 'object',
        required: ['id'],
        additionalProperties: false,
        properties: { id: { type: 'string' }, cname: { type: 'string' }, addresses: { type: 'array', items: { type: 'string' } }, url: { type: 'string' } },
      },
    },
    fallback: {
      type: 'object',
      required: ['provider'],
      additionalProperties: false,
      properties: { provider: { type: 'string' }, target: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, ttl: { type: 'integer', minimum: 0, maximum: MAX_TTL } },
    },
    ttl: { type: 'integer', minimum: 0, maximum: MAX_TTL },
    settings: {},
    data: { type: 'array', items: { type: 'string' }, maxItems: 20, uniqueItems: true },
    tests: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'request', 'expect'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          request: { type: 'object' },
          expect: {
            type: 'object',
            minProperties: 1,
            additionalProperties: false,
            properties: {
              provider: { type: ['string', 'null'] },
              target: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
              ttl: { type: 'integer' },
              reason: { type: 'string' },
              fallback: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
} as const;

export interface Limits {
  maxSourceBytes: number;
  maxTests: number;
}

/** The providers of a version as the sandbox sees them (bindings over provider defaults). */
function resolveProviders(state: ConfigState, tenantId: string, bindings: readonly AppProviderBinding[]): AppProvider[] {
  return bindings.map((b) => {
    const p = visibleProvider(state, tenantId, b.id);
    return { id: b.id, name: p?.name ?? null, cname: b.cname ?? p?.cname ?? null, addresses: b.addresses ?? p?.addresses ?? [], url: b.url ?? p?.url ?? null };
  });
}

/** Checks what JSON Schema cannot: providers exist for the tenant, targets parse, the fallback answers something. */
export function checkVersionInput(state: ConfigState, tenantId: string, input: AppVersionInput, limits: Limits): AppVersionInput {
  check(Buffer.byteLength(input.source, 'utf8') <= limits.maxSourceBytes, 'body.source', `is larger than ${limits.maxSourceBytes} bytes`);
  check(input.tests.length <= limits.maxTests, 'body.tests', `has more than ${limits.maxTests} cases`);
  const seen = new Set<string>();
  const providers = input.providers.map((b, i) => {
    const field = `body.providers.${i}`;
    check(!seen.has(b.id), `${field}.id`, `provider ${b.id} is listed twice`);
    seen.add(b.id);
    check(visibleProvider(state, tenantId, b.id) !== undefined, `${field}.id`, `no provider ${b.id} (create it with POST /v1/providers)`);
    const binding: AppProviderBinding = { id: b.id };
    if (b.cname !== undefined) binding.cname = checkHostname(b.cname, `${field}.cname`);
    if (b.addresses !== undefined) binding.addresses = checkAddresses(b.addresses, `${field}.addresses`);
    if (b.url !== undefined) binding.url = checkUrl(b.url, `${field}.url`);
    return binding;
  });
  check(seen.has(input.fallback.provider), 'body.fallback.provider', `${input.fallback.provider} is not one of the app's providers`);
  if (input.fallback.target !== undefined) check(parseTarget(input.fallback.target) !== null, 'body.fallback.target', 'is not a host name, an address, a list of addresses or a URL');
  const resolved = resolveProviders(state, tenantId, providers);
  const fallback = fallbackDecision({ providers: resolved, fallback: input.fallback, ttl: input.ttl ?? 60 }, 'check', null);
  check(fallback.provider !== null, 'body.fallback', `provider ${input.fallback.provider} has no CNAME, address or URL; give the fallback a target`);
  for (const [i, name] of (input.data ?? []).entries()) check(NAME.test(name), `body.data.${i}`, 'is not a data set name');
  return { ...input, providers };
}

/** Runs the version's test cases; VANE_ERR_APP_COMPILE / _INIT when it does not load. */
export async function testVersion(state: ConfigState, tenantId: string, appId: string, version: number, input: AppVersionInput, limits: Parameters<typeof runAppTests>[1]): Promise<TestReport> {
  return runAppTests(
    {
      appId,
      version,
      source: input.source,
      providers: resolveProviders(state, tenantId, input.providers),
      fallback: input.fallback,
      ttl: input.ttl ?? 60,
      settings: input.settings ?? null,
      tests: input.tests,
    },
    limits,
  );
}

export function refusal(report: TestReport): VaneError {
  const f = report.failing!;
  const what = f.mismatches.map((m) => `${m} expected ${JSON.stringify((f.expected as Record<string, unknown>)[m])}, got ${JSON.stringify((f.actual as unknown as Record<string, unknown>)[m])}`).join('; ');
  return new VaneError('VANE_ERR_APP_TEST_FAILED', `test case "${f.name}" failed: ${what}${f.actual.error ? ` (${f.actual.error})` : ''}`, { details: { failing: f, cases: report.cases } });
}

export function versionPayload(appId: string, tenantId: string, version: number, input: AppVersionInput, report: TestReport, actor: string, at: number): AppVersionPayload {
  const payload: AppVersionPayload = {
    appId,
    tenantId,
    version,
    source: input.source,
    providers: input.providers,
    fallback: input.fallback,
    ttl: input.ttl ?? 60,
    settings: input.settings ?? null,
    data: input.data ?? [],
    tests: input.tests,
    sourceSha256: createHash('sha256').update(input.source, 'utf8').digest('hex'),
    createdAt: at,
    createdBy: actor,
    testReport: { passed: report.cases.length, durationMs: report.durationMs },
  };
  // config.changes.v1 keeps one record per version: it must fit in a Kafka message with room to spare.
  if (jsonBytes(payload) > 900 * 1024) throw new VaneError('VANE_ERR_PAYLOAD_TOO_LARGE', 'source, settings and tests together exceed 900 KiB');
  return payload;
}
