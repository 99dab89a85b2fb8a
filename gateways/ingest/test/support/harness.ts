import { ConfigState, configChange, keyHash, type KeyPayload, type KeyScope, type ProviderPayload, type SitePayload } from '@vane/config-model';
import { VaneError } from '@vane/core';
import type { FastifyInstance } from 'fastify';
import { buildWithContext, type BuildOptions } from '../../src/app';
import type { IngestContext } from '../../src/context';
import type { Delivery, RecordSink, SinkStats } from '../../src/durable-sink';
import { noGeo, type GeoLookup } from '@vane/network';
import type { IngestSettings } from '../../src/options';
import { RecordEncoder, type IngestRecords, type IngestTopic } from '../../src/record-encoder';
import type { SpooledRecord } from '../../src/spool';

const SECRET = 'test-secret-0123456789abcdef';
export const KEY = 'vk_testkey0000000000000000000000001';
export const REVOKED_KEY = 'vk_testkey0000000000000000000000002';
export const LOGS_ONLY_KEY = 'vk_testkey0000000000000000000000003';
export const LIMITED_KEY = 'vk_testkey0000000000000000000000004';
export const SITE_ID = 'site_test0000000001';
const OTHER_SITE_ID = 'site_test0000000002';
export const OTHER_KEY = 'vk_testkey0000000000000000000000005';

/** A sink that keeps records in memory; `refuse` makes it answer like a full spool. */
class MemorySink implements RecordSink {
  readonly records: SpooledRecord[] = [];
  refuse = false;
  async accept(records: readonly SpooledRecord[]): Promise<Delivery> {
    if (this.refuse) throw new VaneError('VANE_ERR_SPOOL_FULL', 'Kafka is unreachable and the local spool is full; retry later', { retriable: true });
    this.records.push(...records);
    return 'kafka';
  }
  stats(): SinkStats {
    return { mode: 'direct', sentDirect: this.records.length, spooled: 0, drained: 0, refusedFull: 0, sendFailures: 0, directSends: 0, directSendMs: 0, spoolBytes: 0, spoolMaxBytes: 1, queued: 0 };
  }
  async close(): Promise<void> {}
}

function keyPayload(key: string, siteId: string, scopes: KeyScope[], extra: Partial<KeyPayload> = {}): KeyPayload {
  return { keyHash: keyHash(key), keyPrefix: key.slice(0, 8), siteId, scopes, revoked: false, createdAt: 1, ...extra };
}

/** Two sites with keys of every kind and two providers. */
function fixtureState(): ConfigState {
  const state = new ConfigState();
  const site: SitePayload = { siteId: SITE_ID, domain: 'example.com', hostnames: ['localhost', '127.0.0.1'], providers: ['cdn-a', 'cdn-b'], createdAt: 1 };
  const other: SitePayload = { siteId: OTHER_SITE_ID, domain: 'other.org', createdAt: 1 };
  const providers: ProviderPayload[] = [
    { providerId: 'cdn-a', probes: [{ type: 'rtt', url: 'https://a.example.net/r20.gif' }, { type: 'throughput', url: 'https://a.example.net/100k.bin' }] },
    { providerId: 'cdn-b', probes: [{ type: 'availability', url: 'https://b.example.net/r20.gif' }] },
  ];
  const all: KeyScope[] = ['beacon', 'logs', 'measurements', 'events'];
  const changes = [
    configChange({ entityId: SITE_ID, entityType: 'site', tenantId: 't1', version: 1, op: 'upsert', actor: 'test', payload: site }),
    configChange({ entityId: OTHER_SITE_ID, entityType: 'site', tenantId: 't2', version: 1, op: 'upsert', actor: 'test', payload: other }),
    ...providers.map((p) => configChange({ entityId: p.providerId, entityType: 'provider', tenantId: 't1', version: 1, op: 'upsert', actor: 'test', payload: p })),
    configChange({ entityId: 'k1', entityType: 'key', tenantId: 't1', version: 1, op: 'upsert', actor: 'test', payload: keyPayload(KEY, SITE_ID, all) }),
    configChange({ entityId: 'k2', entityType: 'key', tenantId: 't1', version: 2, op: 'upsert', actor: 'test', payload: keyPayload(REVOKED_KEY, SITE_ID, all, { revoked: true, revokedAt: 2 }) }),
    configChange({ entityId: 'k3', entityType: 'key', tenantId: 't1', version: 1, op: 'upsert', actor: 'test', payload: keyPayload(LOGS_ONLY_KEY, SITE_ID, ['logs']) }),
    configChange({ entityId: 'k4', entityType: 'key', tenantId: 't1', version: 1, op: 'upsert', actor: 'test', payload: keyPayload(LIMITED_KEY, SITE_ID, all, { rateLimitPerMinute: 3, dailyLimit: 1000 }) }),
    configChange({ entityId: 'k5', entityType: 'key', tenantId: 't2', version: 1, op: 'upsert', actor: 'test', payload: keyPayload(OTHER_KEY, OTHER_SITE_ID, all, { dailyLimit: 2 }) }),
  ];
  for (const c of changes) state.apply(c);
  return state;
}

/** A fixed GeoLookup: 203.0.113.0/24 is in Berlin on AS 3320, everything else unknown. */
const fakeGeo: GeoLookup = {
  network(ip) {
    if (ip.cidr === '203.0.113.0/24') return { truncatedIp: ip.cidr, country: 'DE', continent: 'EU', region: 'DE-BE', asn: 3320, asnOrg: 'Deutsche Telekom AG' };
    return noGeo.network(ip);
  },
};

export interface TestApp {
  app: FastifyInstance;
  ctx: IngestContext;
  sink: MemorySink;
  encoder: RecordEncoder;
  state: ConfigState;
  /** Decodes the records of one topic the app produced so far. */
  produced<T extends IngestTopic>(topic: T): { key: string; value: IngestRecords[T] }[];
}

export async function testApp(overrides: Partial<Omit<BuildOptions, 'settings'>> & { settings?: Partial<IngestSettings> } = {}): Promise<TestApp> {
  const sink = new MemorySink();
  const encoder = RecordEncoder.offline();
  const state = fixtureState();
  const { app, ctx } = await buildWithContext({
    config: { state, ready: true },
    sink,
    encoder,
    geo: fakeGeo,
    ...overrides,
    settings: { secret: SECRET, ...overrides.settings },
  });
  return {
    app,
    ctx,
    sink,
    encoder,
    state,
    produced(topic) {
      const type = encoder.typeOf(topic);
      return sink.records
        .filter((r) => r.topic === topic)
        .map((r) => ({ key: r.key, value: type.fromBuffer(r.value.subarray(5)) as IngestRecords[typeof topic] }));
    },
  };
}
