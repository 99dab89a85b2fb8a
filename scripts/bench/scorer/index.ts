// Scorer benchmark: N measurements through one scorer process (its four
// processors: transactions, state changelogs, Scylla and ClickHouse writes) beside a bare
// kafkajs consumer on the same topic in the same run; then freshness: time
// from a measurement produced to its score seen by a delta subscriber (the
// score client following the snapshots gateway), under background load.
// Usage: npm run bench:scorer -- [--records 200000] [--probes 100] [--load 1000]
// VANE_BENCH_PROF=1 writes a CPU profile of the scorer process to /tmp/prof.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connectionsFromEnv } from '@vane/core';
import { createClickhouseClient, createScyllaClient } from '@vane/runtime';
import { SchemaCodec, schemaFiles, topicNames, type Measurement } from '@vane/schemas';
import { createScoreClient } from '@vane/score-client';
import { applyTopics, createKafka, physicalTopic, valueSubjectOf } from '@vane/topics';
import type { Producer } from 'kafkajs';
import type { Type } from 'avsc';
import { arg, mib, printTable } from '../lib/report';

interface Done {
  kind: 'done';
  count: number;
  seconds: number;
  rate: number;
  maxRss: number;
  partials?: number;
  scores?: number;
  cpuSeconds?: number;
}

const countries = [
  ['DE', 'EU', [3320, 6805, 8881]],
  ['FR', 'EU', [3215, 12322, 5410]],
  ['GB', 'EU', [2856, 5089]],
  ['US', 'NA', [7922, 701, 7018, 20115]],
  ['BR', 'SA', [28573, 18881]],
  ['JP', 'AS', [2516, 4713]],
  ['IN', 'AS', [9829, 55836]],
  ['AU', 'OC', [1221]],
] as const;
const networks = countries.flatMap(([country, continent, asns]) => asns.map((asn) => ({ truncatedIp: '198.51.100.0/24', country, continent, region: null, asn, asnOrg: null })));
const providers = ['cdn-a', 'cdn-b', 'cdn-c', 'cloud-d', 'cloud-e'];

function measurementOf(i: number, at: number, provider?: string): Measurement {
  const client = networks[i % networks.length]!;
  const kind = i % 10;
  const probeType = kind < 7 ? 'rtt' : kind < 9 ? 'availability' : 'throughput';
  const value = probeType === 'rtt' ? 10 + ((i * 7919) % 190) : probeType === 'availability' ? (i % 50 === 0 ? 0 : 1) : 2000 + ((i * 104729) % 50_000);
  return { measurementId: randomUUID(), receivedAt: at, eventTime: at, sessionId: null, siteId: 'site-bench', provider: provider ?? providers[(i >> 3) % providers.length]!, probeType, value, timings: null, url: null, client, resolver: null, source: 'rum' };
}

function child(mode: string, prefix: string, count: number, keyspace: string, database: string): ChildProcess {
  const profile = process.env.VANE_BENCH_PROF && mode === 'scorer' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
  return fork(join(__dirname, 'worker.ts'), [mode, prefix, String(count), keyspace, database], { execArgv: ['--require', 'tsx/cjs', ...profile] });
}

function next<T>(c: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { kind: string }): void => {
      if (m.kind === kind) {
        c.off('message', onMessage);
        resolve(m as T);
      }
    };
    c.on('message', onMessage);
    c.once('exit', (code) => reject(new Error(`${kind}: worker exited with ${code}`)));
  });
}

async function stop(c: ChildProcess): Promise<number> {
  const stopped = next<{ maxRss: number }>(c, 'stopped');
  c.send('stop');
  return (await stopped).maxRss;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

async function produce(producer: Producer, topic: string, encode: (m: Measurement) => Buffer, list: Measurement[]): Promise<void> {
  await producer.send({ topic, messages: list.map((m) => ({ key: m.client.country, value: encode(m) })), acks: -1 });
}

async function main(): Promise<void> {
  const records = arg('records', 'VANE_BENCH_RECORDS', 200_000);
  const probes = arg('probes', 'VANE_BENCH_PROBES', 100);
  const load = arg('load', 'VANE_BENCH_LOAD', 1000);
  const connections = connectionsFromEnv(process.env);
  const tag = randomBytes(3).toString('hex');
  const naming = { prefix: `bench${tag}.` };
  const keyspace = `bench_${tag}`;
  const database = `bench_${tag}`;
  const kafka = createKafka(connections, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  await applyTopics(admin, { naming, only: ['ingest.measurements.v1', 'deadletter.v1', 'scores.v1', 'scorer.partials.v1', 'scorer.windows-changelog.v1', 'scorer.merge-changelog.v1'] });
  const codec = new SchemaCodec(connections.registryUrl);
  for (const t of topicNames) await codec.register(valueSubjectOf(t, naming), schemaFiles[t]);
  const id = await codec.latestId(valueSubjectOf('ingest.measurements.v1', naming));
  const type: Type = await codec.typeOf(id);
  const encode = (m: Measurement): Buffer => codec.encodeWith(id, type, m);
  const topic = physicalTopic('ingest.measurements.v1', naming);

  process.stdout.write(`producing ${records} measurements (${providers.length} providers × ${networks.length} networks, rtt/availability/throughput 7:2:1) to ${topic}…\n`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  const base = started - records; // 1 ms of event time per measurement
  for (let done = 0; done < records; done += 5000) {
    const list = [];
    for (let i = done; i < Math.min(records, done + 5000); i++) list.push(measurementOf(i, base + i));
    await produce(producer, topic, encode, list);
  }
  process.stdout.write(`produced in ${((Date.now() - started) / 1000).toFixed(1)} s; consuming with the bare consumer, then the scorer…\n`);

  const bareChild = child('bare', naming.prefix, records, keyspace, database);
  const bare = await next<Done>(bareChild, 'done');
  const scorerChild = child('scorer', naming.prefix, records, keyspace, database);
  const scored = await next<Done>(scorerChild, 'done');
  const settled = await next<Done>(scorerChild, 'settled');

  // Freshness: the scorer keeps running; a gateway and a subscriber join.
  const gatewayChild = child('snapshots', naming.prefix, 0, keyspace, database);
  const { url } = await next<{ url: string }>(gatewayChild, 'listening');
  const client = createScoreClient({ url });
  await client.start();
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  client.on('change', (score) => {
    const t = sentAt.get(score.provider);
    if (t !== undefined && score.locationKey === 'global') {
      latencies.push(Date.now() - t);
      sentAt.delete(score.provider);
    }
  });
  process.stdout.write(`freshness: ${probes} probes, one every 200 ms, under ${load} measurements/s of background load…\n`);
  let i = records;
  const loadTimer = setInterval(() => {
    const list = [];
    for (let k = 0; k < load / 10; k++, i++) list.push(measurementOf(i, Date.now()));
    void produce(producer, topic, encode, list).catch(() => undefined);
  }, 100);
  for (let p = 0; p < probes; p++) {
    // A provider never seen before: its first score is published at once.
    const provider = `fresh-${tag}-${p}`;
    const m = measurementOf(p, Date.now(), provider);
    sentAt.set(provider, Date.now());
    await produce(producer, topic, encode, [m]);
    await new Promise((r) => setTimeout(r, 200));
  }
  const deadline = Date.now() + 10_000;
  while (sentAt.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  clearInterval(loadTimer);
  await client.stop();
  await producer.disconnect();
  const scorerRss = await stop(scorerChild);
  const gatewayRss = await stop(gatewayChild);
  latencies.sort((a, b) => a - b);

  printTable(`scorer benchmark: ${records} measurements, 6 partitions`, [
    { name: 'bare kafkajs eachBatch', figures: { 'msgs/s': Math.round(bare.rate), seconds: bare.seconds.toFixed(2), 'peak RSS': mib(bare.maxRss) } },
    { name: 'scorer: measurements folded', figures: { 'msgs/s': Math.round(scored.rate), seconds: scored.seconds.toFixed(2), 'peak RSS': mib(Math.max(scored.maxRss, scorerRss)) } },
    { name: 'scorer: all settled', figures: { 'msgs/s': Math.round(settled.rate), seconds: settled.seconds.toFixed(2), 'peak RSS': mib(Math.max(settled.maxRss, scorerRss)) } },
  ]);
  process.stdout.write(`\nscorer process (scorer-windows, scorer, scores-history, measurements-loader on one thread): ${scored.cpuSeconds?.toFixed(1)} s of CPU since its start for ${scored.seconds.toFixed(1)} s of folding; settled (scores merged and published, history and raw measurements loaded) after ${settled.seconds.toFixed(1)} s: ${settled.partials} partial windows merged, ${settled.scores} scores published\n`);
  const ratio = scored.rate / bare.rate;
  process.stdout.write(`ratio scorer/bare: ${ratio.toFixed(2)} folded, ${(settled.rate / bare.rate).toFixed(2)} settled (target >= 0.60: ${ratio >= 0.6 ? 'met' : 'NOT met'})\n`);
  if (latencies.length > 0) {
    const p50 = percentile(latencies, 0.5);
    const p99 = percentile(latencies, 0.99);
    printTable(`freshness: measurement produced → score seen by a delta subscriber (${latencies.length}/${probes} probes)`, [
      { name: 'produce → client change', figures: { p50: `${p50} ms`, p99: `${p99} ms`, max: `${latencies[latencies.length - 1]} ms`, 'gateway RSS': mib(gatewayRss) } },
    ]);
    process.stdout.write(`\nfreshness p99 ${p99} ms (target < 2000 ms: ${p99 < 2000 ? 'met' : 'NOT met'})\n`);
  } else {
    process.stdout.write('\nfreshness: no probe was seen by the subscriber\n');
  }

  const topics = (await admin.listTopics()).filter((t) => t.startsWith(naming.prefix));
  await admin.deleteTopics({ topics });
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(naming.prefix));
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
  const cql = createScyllaClient(connections);
  await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
  await cql.shutdown();
  const ch = createClickhouseClient(connections);
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
  await ch.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
