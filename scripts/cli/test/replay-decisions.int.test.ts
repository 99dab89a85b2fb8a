import type { ClickHouseClient } from '@clickhouse/client';
import type { Client } from 'cassandra-driver';
import { decisionsLoaderReplay } from '@vane/decisions-loader';
import { ORIGINAL_VERSION, createClickhouseClient, createScyllaClient, servedVersion, versionNaming, type ReplayPipeline } from '@vane/runtime';
import type { DnsDecision, HttpDecision } from '@vane/schemas';
import { createKafka, valueSubjectOf } from '@vane/topics';
import { createNamespace, eventually, randomName, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { runVane } from '@vane/test-support/run-vane';

const T0 = Date.UTC(2026, 10, 22, 18, 0, 0);
const network = (ip: string, country: string | null, asn: number | null) => ({ truncatedIp: ip, country, continent: country ? 'EU' : null, region: null, asn, asnOrg: null });

function dnsDecision(i: number): DnsDecision {
  return {
    decisionId: `dns-${i}`,
    at: T0 + i * 1000,
    appId: 'acme.video',
    appVersion: 1 + (i % 2),
    tenantId: 'acme',
    qname: 'www.acme-cdn.example',
    qtype: 'A',
    client: network('62.155.1.0/24', 'DE', 3320),
    ecsSubnet: i % 3 === 0 ? null : '62.155.1.0/24',
    resolver: network('8.8.8.0/24', null, 15169),
    scoresSeen: [
      { provider: 'cdn-a', level: 'country', rttP50: 20 + i, availability: 0.99 },
      { provider: 'cdn-b', level: 'global', rttP50: null, availability: null },
    ],
    answerProvider: i % 4 === 0 ? 'cdn-b' : 'cdn-a',
    answerTarget: i % 4 === 0 ? 'acme.cdn-b.net' : 'acme.cdn-a.net',
    ttl: 30,
    reasonCode: 'best_rtt',
    fallback: false,
    durationMicros: 100 + i,
  };
}

function httpDecision(i: number): HttpDecision {
  return {
    decisionId: `http-${i}`,
    at: T0 + i * 1500,
    appId: 'acme.video',
    appVersion: 1,
    tenantId: 'acme',
    hostname: 'www.acme-cdn.example',
    path: `/v/${i}.mp4`,
    client: network('2003:e1:1234::/48', null, null),
    scoresSeen: [],
    answerProvider: 'origin',
    answerTarget: `https://origin.acme.example/v/${i}.mp4`,
    ttl: 20,
    reasonCode: i % 2 === 0 ? 'app_timeout' : 'best_rtt',
    fallback: i % 2 === 0,
    redirect: i % 3 === 0,
    durationMicros: 1000 + i,
  };
}

describe('vane replay decisions-loader', () => {
  let ns: TestNamespace;
  let live: ReplayPipeline;
  let cql: Client;
  let ch: ClickHouseClient;
  let env: Record<string, string>;
  const keyspace = randomName('t_');
  const database = randomName('t_');
  const dns = Array.from({ length: 12 }, (_, i) => dnsDecision(i));
  const http = Array.from({ length: 8 }, (_, i) => httpDecision(i));

  async function count(table: string, final = true): Promise<number> {
    const result = await ch.query({ query: `SELECT count() AS n FROM ${database}.${table}${final ? ' FINAL' : ''}`, format: 'JSONEachRow' });
    return Number(((await result.json()) as { n: string }[])[0]!.n);
  }

  beforeAll(async () => {
    ns = await createNamespace();
    env = { ...ns.env, VANE_SCYLLA_KEYSPACE: keyspace, VANE_CLICKHOUSE_DATABASE: database };
    const connections = { ...ns.connections, scyllaKeyspace: keyspace, clickhouseDatabase: database };
    live = decisionsLoaderReplay.pipeline({ connections, naming: ns.naming, log: () => undefined }, versionNaming(ORIGINAL_VERSION, ns.naming, ORIGINAL_VERSION, decisionsLoaderReplay.topics));
    await live.start();
    cql = createScyllaClient(ns.connections);
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    await live.stop();
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cql.shutdown();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch.close();
    await ns.cleanup();
  });

  it('rebuilds the decisions table as v2, verifies it equal to the live one, detects a missing row, and promotes v2', async () => {
    const producer = createKafka(ns.connections, 'test').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const dnsSubject = valueSubjectOf('decisions.dns.v1', ns.naming);
    const httpSubject = valueSubjectOf('decisions.http.v1', ns.naming);
    await producer.send({ topic: topicOf(ns, 'decisions.dns.v1'), acks: -1, messages: await Promise.all(dns.map(async (d) => ({ key: `${d.appId}.${d.decisionId}`, value: await ns.codec.encode(dnsSubject, d) }))) });
    await producer.send({ topic: topicOf(ns, 'decisions.http.v1'), acks: -1, messages: await Promise.all(http.map(async (d) => ({ key: `${d.appId}.${d.decisionId}`, value: await ns.codec.encode(httpSubject, d) }))) });
    await producer.disconnect();
    const total = dns.length + http.length;
    await eventually('the live loaders to load every decision', async () => ((await count('decisions').catch(() => 0)) === total ? true : undefined), 90_000, 500);

    const rebuilt = await runVane(['replay', 'decisions-loader', '--from', 'earliest', '--as', 'v2'], { env, timeoutMs: 120_000 });
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/replaying .*decisions\.dns\.v1, .*decisions\.http\.v1 from earliest \(20 records/);
    expect(rebuilt.stdout).toMatch(/version v2 caught up/);
    expect(await count('decisions_v2')).toBe(total);

    const verified = await runVane(['replay', 'verify', 'decisions-loader', '--as', 'v2'], { env, timeoutMs: 60_000 });
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/clickhouse decisions\s+20 .* equal/);
    expect(verified.stdout).toMatch(/v2 equals v1/);

    // One row fewer in the rebuilt table: verify tells.
    await ch.command({ query: `ALTER TABLE ${database}.decisions_v2 DELETE WHERE decision_id = 'http-3'` });
    await eventually('the row to be deleted', async () => ((await count('decisions_v2')) === total - 1 ? true : undefined), 30_000, 250);
    const differs = await runVane(['replay', 'verify', 'decisions-loader', '--as', 'v2'], { env, timeoutMs: 60_000 });
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/clickhouse decisions .* DIFFERENT \(-1 rows\)/);
    expect(differs.stderr).toMatch(/VANE_ERR_REPLAY_MISMATCH: v2 differs from v1 in 1 of 1 tables/);

    // Promotion refuses while the live loaders run, then points decisions_serving at v2 and records it.
    const refused = await runVane(['replay', 'promote', 'decisions-loader', '--as', 'v2'], { env, timeoutMs: 60_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/stop the running decisions-loader/);
    await live.stop();
    const promoted = await runVane(['replay', 'promote', 'decisions-loader', '--as', 'v2'], { env, timeoutMs: 60_000 });
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/v2 is now the serving version of decisions-loader \(was v1\): ClickHouse views decisions_serving/);
    const serving = await cql.execute(`SELECT version, previous FROM ${keyspace}.model_serving WHERE model = 'decisions-loader'`);
    expect(serving.rows[0]).toMatchObject({ version: 'v2', previous: 'v1' });
    expect(await count('decisions_serving', false)).toBe(total - 1);
    // `vane run decisions-loader` now runs v2: its groups and table.
    const running = await servedVersion({ connections: { ...ns.connections, scyllaKeyspace: keyspace }, naming: ns.naming }, decisionsLoaderReplay);
    expect([running.label, running.groupId('decisions-dns-loader'), running.tableName('decisions')]).toEqual(['v2', `${ns.naming.prefix}vane.decisions-dns-loader.v2`, 'decisions_v2']);
  });
});
