import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionsFromEnv, infraPathsFromEnv, type Connections } from '@vane/core';
import { contextFor, services, stopService, upService, type ServiceContext, type ServiceDefinition } from '@vane/infra';
import { SchemaCodec, schemaFiles, topicNames, type Beacon } from '@vane/schemas';
import { applyTopics, createKafka, physicalTopic, valueSubjectOf, type TopicNaming } from '@vane/topics';
import { configChange, keyEntityId, keyHash, writeConfigChanges } from '@vane/config-model';
import { randomName, readAll, type TestNamespace } from '@vane/test-support/fixtures';
import { freePort, removeDir, startTestGateway, type TestGateway } from './support/gateway';

function kafkaDefinition(): ServiceDefinition {
  const found = services.find((s) => s.name === 'kafka');
  if (!found) throw new Error('@vane/infra has no kafka service');
  return found;
}
const kafkaService = kafkaDefinition();

/**
 * "Nothing accepted is lost": a load of beacons while a Kafka broker is
 * stopped, with the gateway restarted while Kafka is still down, then Kafka
 * started again. Every beacon answered 204 is on the topic exactly once.
 * Uses a private Kafka (own VANE_HOME and ports) so the shared one never stops;
 * the registry is the shared one.
 */
jest.setTimeout(420_000);

const N1 = 1500;
const N2 = 300;
const SITE = 'site_outage0000001';
const KEY = 'vk_outagekey000000000000000000001';

describe('Kafka stopped during a load', () => {
  let home: string;
  let ctx: ServiceContext;
  let connections: Connections;
  let naming: TopicNaming;
  let codec: SchemaCodec;
  const gateways: TestGateway[] = [];
  let spoolDir: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'vane-outage-kafka-'));
    const broker = await freePort();
    const controller = await freePort();
    ctx = contextFor(kafkaService, { home, cacheDir: infraPathsFromEnv(process.env).cacheDir }, { VANE_KAFKA_PORT: String(broker), VANE_KAFKA_CONTROLLER_PORT: String(controller) }, (m) => {
      if (process.env.VANE_TEST_VERBOSE) process.stderr.write(`${m}\n`);
    });
    await upService(kafkaService, ctx);
    connections = { ...connectionsFromEnv(process.env), kafkaBrokers: [`127.0.0.1:${broker}`] };
    naming = { prefix: `${randomName('o')}.` };
    codec = new SchemaCodec(connections.registryUrl);
    const admin = createKafka(connections, 'test-outage').admin();
    await admin.connect();
    await applyTopics(admin, { naming, only: ['ingest.beacons.v1', 'config.changes.v1'] });
    await admin.disconnect();
    for (const topic of topicNames) await codec.register(valueSubjectOf(topic, naming), schemaFiles[topic]);
    const producer = createKafka(connections, 'test-outage').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await writeConfigChanges(producer, codec, naming, [
      configChange({ entityId: SITE, entityType: 'site', tenantId: 't', version: 1, op: 'upsert', actor: 'test', payload: { siteId: SITE, domain: 'example.com', createdAt: 1 } }),
      configChange({ entityId: keyEntityId(KEY), entityType: 'key', tenantId: 't', version: 1, op: 'upsert', actor: 'test', payload: { keyHash: keyHash(KEY), keyPrefix: KEY.slice(0, 8), siteId: SITE, scopes: ['beacon'], revoked: false, createdAt: 1 } }),
    ]);
    await producer.disconnect();
    spoolDir = mkdtempSync(join(tmpdir(), 'vane-outage-spool-'));
  });

  afterAll(async () => {
    for (const g of gateways) await g.stop().catch(() => undefined);
    if (ctx) await stopService(kafkaService, ctx);
    if (home) removeDir(home);
    if (spoolDir) removeDir(spoolDir);
  });

  const eventId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

  /** Sends beacons [from, to) with `concurrency` in flight; returns the statuses. */
  async function load(gw: TestGateway, from: number, to: number, concurrency: number, onProgress?: (done: number) => void): Promise<number[]> {
    const statuses: number[] = [];
    let next = from;
    let done = 0;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        const res = await fetch(`${gw.url}/api/v1/beacon?key=${KEY}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ type: 'pageview', url: `https://example.com/p/${i}`, eventId: eventId(i) }),
        });
        await res.arrayBuffer();
        statuses.push(res.status);
        onProgress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return statuses;
  }

  it('keeps every accepted beacon: spooled while Kafka is down, drained after a restart, none twice', async () => {
    const first = await startTestGateway({ connections, naming, spoolDir, spoolAfterMs: 1000 });
    gateways.push(first);
    let stopping: Promise<boolean> | undefined;
    const statuses = await load(first, 0, N1, 16, (done) => {
      if (done === 400) stopping = stopService(kafkaService, ctx);
    });
    expect(statuses.filter((s) => s !== 204)).toEqual([]);
    await stopping;
    // Still down: a few more, then the gateway is restarted with records in its spool.
    expect((await load(first, N1, N1 + 50, 4)).every((s) => s === 204)).toBe(true);
    const stats = first.sink.stats();
    expect(stats.mode).toBe('spool');
    expect(stats.spooled).toBeGreaterThan(0);
    expect(stats.spoolBytes).toBeGreaterThan(0);
    expect((await (await fetch(`${first.url}/healthz`)).json()) as object).toMatchObject({ status: 'spooling' });
    await first.stop();
    gateways.pop();

    await upService(kafkaService, ctx);
    const second = await startTestGateway({ connections, naming, spoolDir });
    gateways.push(second);
    expect((await load(second, N1 + 50, N1 + 50 + N2, 8)).every((s) => s === 204)).toBe(true);

    const ns = { connections, codec } as unknown as TestNamespace;
    const total = N1 + 50 + N2;
    const records = await readAll<Beacon>(ns, physicalTopic('ingest.beacons.v1', naming), { atLeast: total, idleMs: 3000, timeoutMs: 180_000 });
    const ids = records.map((r) => r.value.eventId);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    for (let i = 0; i < total; i++) expect(ids.includes(eventId(i))).toBe(true);
    expect(second.sink.stats()).toMatchObject({ mode: 'direct', spoolBytes: 0 });
  });
});
