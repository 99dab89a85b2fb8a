import { levelOf, scoreKey, type Score } from '@vane/schemas';
import { defaultSettings as snapshotDefaults, startServer as startSnapshots, type RunningSnapshots } from '@vane/snapshots/server';
import { createKafka, valueSubjectOf } from '@vane/topics';
import { bestRttSource } from './best-rtt-app';
import { startConfigService, type TestConfigService } from './config-service';
import { eventually, topicOf, type TestNamespace } from './fixtures';

/**
 * The routing side of the platform on the local stack, for the decision
 * gateways' integration tests: scores produced to scores.v1 and served by
 * the snapshots gateway, and tenant "acme" configured through the config
 * service (Kafka): providers cdn-a, cdn-b, origin; app acme.video (zone
 * acme-cdn.example: www, *.img, published: best rtt above 0.8
 * availability) and acme.many (many.acme-cdn.example: 30 AAAA records).
 */
export const many = Array.from({ length: 30 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);

export interface ScoreInput {
  provider: string;
  locationKey: string;
  rttP50: number | null;
  availability: number | null;
}

export function score(input: ScoreInput, computedAt = Date.now()): Score {
  return {
    provider: input.provider,
    locationKey: input.locationKey,
    level: levelOf(input.locationKey),
    rttP50: input.rttP50,
    rttP90: input.rttP50 === null ? null : input.rttP50 * 2,
    availability: input.availability,
    throughputP50: null,
    samples: 500,
    confidence: 1,
    windowStart: computedAt - 300_000,
    windowEnd: computedAt,
    computedAt,
    modelVersion: 'test',
    sourceOffsets: null,
  };
}

export const initialScores: ScoreInput[] = [
  { provider: 'cdn-a', locationKey: 'country:DE', rttP50: 20, availability: 0.99 },
  { provider: 'cdn-b', locationKey: 'country:DE', rttP50: 35, availability: 0.99 },
  { provider: 'cdn-a', locationKey: 'country:US', rttP50: 80, availability: 0.99 },
  { provider: 'cdn-b', locationKey: 'asn:US:15169', rttP50: 12, availability: 0.98 },
  { provider: 'cdn-a', locationKey: 'global', rttP50: 50, availability: 0.99 },
  { provider: 'cdn-b', locationKey: 'global', rttP50: 60, availability: 0.99 },
];

export class RoutingStack {
  private constructor(
    readonly ns: TestNamespace,
    readonly config: TestConfigService,
    readonly snapshots: RunningSnapshots,
    /** The admin API key of tenant acme. */
    readonly key: string,
  ) {}

  static async start(ns: TestNamespace): Promise<RoutingStack> {
    await produceScores(ns, initialScores);
    const snapshots = await startSnapshots({ settings: { ...snapshotDefaults, port: 0 }, connections: ns.connections, naming: ns.naming, logLevel: 'silent', log: () => undefined });
    const config = await startConfigService(ns, { tenants: ['acme'] });
    const withKey = new RoutingStack(ns, config, snapshots, config.tenantKeys.acme!);
    await withKey.configure();
    // The snapshot holds every initial score before gateways start from it.
    await eventually('the snapshot to hold the initial scores', async () => {
      const res = await fetch(`${snapshots.url}/v1/snapshots/scores`);
      const body = (await res.json()) as { scores: unknown[] };
      return body.scores.length >= initialScores.length ? true : undefined;
    });
    return withKey;
  }

  async call(method: string, path: string, body?: unknown, token = this.key): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.config.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  private async configure(): Promise<void> {
    await this.call('POST', '/v1/providers', { providerId: 'cdn-a', cname: 'acme.cdn-a.net', url: 'https://acme.cdn-a.net' });
    await this.call('POST', '/v1/providers', { providerId: 'cdn-b', cname: 'acme.cdn-b.net' });
    await this.call('POST', '/v1/providers', { providerId: 'origin', cname: 'origin.acme.example', url: 'https://origin.acme.example' });
    await this.call('POST', '/v1/apps', { name: 'video', zone: 'acme-cdn.example', hostnames: ['www.acme-cdn.example', '*.img.acme-cdn.example'] });
    await this.call('POST', '/v1/apps/acme.video/versions', {
      source: bestRttSource,
      providers: [{ id: 'cdn-a' }, { id: 'cdn-b' }, { id: 'origin' }],
      fallback: { provider: 'origin', ttl: 20 },
      settings: { availabilityFloor: 0.8 },
      tests: [
        { name: 'DE: cdn-a', request: { client: { country: 'DE' }, scores: { 'cdn-a': { rttP50: 20, availability: 0.99 }, 'cdn-b': { rttP50: 35, availability: 0.99 } } }, expect: { provider: 'cdn-a', reason: 'best_rtt' } },
        { name: 'nothing: origin', request: {}, expect: { provider: 'origin', reason: 'no_scores' } },
      ],
    });
    await this.call('POST', '/v1/apps/acme.video/publish', { version: 1 });
    await this.call('POST', '/v1/apps', { name: 'many', zone: 'acme-cdn.example', hostnames: ['many.acme-cdn.example'] });
    await this.call('POST', '/v1/apps/acme.many/versions', {
      source: `function onRequest(q, r) { r.respond('cdn-b', ${JSON.stringify(many)}); r.setReasonCode('many'); }`,
      providers: [{ id: 'cdn-b' }],
      fallback: { provider: 'cdn-b' },
      tests: [{ name: 'many', request: { qtype: 'AAAA' }, expect: { provider: 'cdn-b', target: many } }],
    });
    await this.call('POST', '/v1/apps/acme.many/publish', { version: 1 });
  }

  async close(): Promise<void> {
    await this.config.close();
    await this.snapshots.close();
  }
}

export async function produceScores(ns: TestNamespace, inputs: readonly ScoreInput[]): Promise<void> {
  const producer = createKafka(ns.connections, 'test-scores').producer();
  await producer.connect();
  try {
    const subject = valueSubjectOf('scores.v1', ns.naming);
    const messages = [];
    for (const input of inputs) messages.push({ key: scoreKey(input.provider, input.locationKey), value: await ns.codec.encode(subject, score(input)) });
    await producer.send({ topic: topicOf(ns, 'scores.v1'), acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}
