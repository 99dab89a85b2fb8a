// Ingest gateway benchmark: autocannon (keep-alive) against POST /api/v1/beacon
// of the real gateway (Kafka on this machine, acks=all, idempotent producer)
// and, in the same run, against a bare Fastify route answering 204. Prints
// requests/s, p50/p99 latency and peak RSS of both, the ratio, and counts the
// beacons on the topic against the 2xx answers (lost = answered but absent).
//
// Usage: npx tsx scripts/bench/ingest/index.ts [--duration 15] [--connections 32] [--warmup 3]
// (env VANE_BENCH_DURATION, VANE_BENCH_CONNECTIONS, VANE_BENCH_WARMUP). Needs the local stack
// (`npx vane infra up`); uses its own random topic prefix and deletes its topics afterwards.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { configChange, keyEntityId, keyHash, writeConfigChanges } from '@vane/config-model';
import { connectionsFromEnv } from '@vane/core';
import { SchemaCodec, schemaFiles, topicNames } from '@vane/schemas';
import { applyTopics, createKafka, physicalTopic, valueSubjectOf } from '@vane/topics';

function arg(name: string, envName: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[envName];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return value;
}

interface Started {
  child: ChildProcess;
  url: string;
}

function start(script: string, args: string[]): Promise<Started> {
  return new Promise((resolve, reject) => {
    const profile = process.env.VANE_BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.VANE_BENCH_PROF}`] : [];
    const child = fork(join(__dirname, script), args, { execArgv: ['--require', 'tsx/cjs', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve({ child, url: (m as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before listening`)));
  });
}

function stop<T>(started: Started): Promise<T> {
  return new Promise((resolve) => {
    started.child.removeAllListeners('exit');
    started.child.once('message', (m) => resolve(m as T));
    started.child.send('stop');
  });
}

const SITE = 'site_bench00000001';
const KEY = `vk_bench${randomBytes(12).toString('hex')}`;
const BODY = JSON.stringify({
  type: 'pageview',
  url: 'https://www.example.com/pricing?plan=pro',
  referrer: 'https://search.example/?q=vane',
  title: 'Pricing',
  screenWidth: 1440,
  language: 'en-GB',
  sessionHint: '2b7f0c1e-0a3e-4f6e-9c55-6f7b9b0a1c2d',
});
const USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

interface Figures {
  name: string;
  requests: number;
  ok: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  maxRss: number;
  /** CPU time of the server process per request answered in the measured run. */
  cpuUsPerRequest: number;
}

async function cannon(url: string, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/api/v1/beacon?key=${KEY}`,
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': USER_AGENT },
    body: BODY,
    connections,
    pipelining: 1,
    duration: seconds,
  });
}

function mark(target: Started): Promise<void> {
  return new Promise((resolve) => {
    target.child.once('message', () => resolve());
    target.child.send('mark');
  });
}

async function measure(name: string, target: Started, warmup: number, duration: number, connections: number): Promise<{ result: autocannon.Result; figures: Omit<Figures, 'maxRss' | 'cpuUsPerRequest'> }> {
  process.stdout.write(`${name}: warm-up ${warmup} s, then ${duration} s with ${connections} keep-alive connections…\n`);
  const warm = await cannon(target.url, warmup, connections);
  await mark(target);
  const result = await cannon(target.url, duration, connections);
  return {
    result,
    figures: {
      name,
      requests: result.requests.total + warm.requests.total,
      ok: result['2xx'] + warm['2xx'],
      errors: result.errors + result.non2xx + warm.errors + warm.non2xx,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
    },
  };
}

async function main(): Promise<void> {
  const duration = arg('duration', 'VANE_BENCH_DURATION', 15);
  const connections = arg('connections', 'VANE_BENCH_CONNECTIONS', 32);
  const warmup = arg('warmup', 'VANE_BENCH_WARMUP', 3);
  const env = connectionsFromEnv(process.env);
  const naming = { prefix: `bench${randomBytes(3).toString('hex')}.` };
  const kafka = createKafka(env, 'bench-ingest');
  const admin = kafka.admin();
  await admin.connect();
  await applyTopics(admin, { naming, only: ['ingest.beacons.v1', 'ingest.serverlogs.v1', 'ingest.measurements.v1', 'ingest.downloads.v1', 'config.changes.v1'] });
  const codec = new SchemaCodec(env.registryUrl);
  for (const t of topicNames) await codec.register(valueSubjectOf(t, naming), schemaFiles[t]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await writeConfigChanges(producer, codec, naming, [
    configChange({ entityId: SITE, entityType: 'site', tenantId: 'bench', version: 1, op: 'upsert', actor: 'bench', payload: { siteId: SITE, domain: 'example.com', createdAt: Date.now() } }),
    configChange({
      entityId: keyEntityId(KEY),
      entityType: 'key',
      tenantId: 'bench',
      version: 1,
      op: 'upsert',
      actor: 'bench',
      payload: { keyHash: keyHash(KEY), keyPrefix: KEY.slice(0, 8), siteId: SITE, scopes: ['beacon'], revoked: false, rateLimitPerMinute: 1_000_000_000, createdAt: Date.now() },
    }),
  ]);
  await producer.disconnect();
  const spoolDir = mkdtempSync(join(tmpdir(), 'vane-bench-spool-'));

  try {
    const bare = await start('bare-worker.ts', []);
    const bareRun = await measure('bare Fastify route', bare, warmup, duration, connections);
    const bareStop = await stop<{ maxRss: number; cpuMs: number }>(bare);

    const gateway = await start('gateway-worker.ts', [naming.prefix, spoolDir]);
    const gatewayRun = await measure('ingest gateway', gateway, warmup, duration, connections);
    const gatewayStop = await stop<{ maxRss: number; cpuMs: number; stats: { spooled: number; sentDirect: number; drained: number; directSends: number; directSendMs: number } }>(gateway);
    // What the gateway accepted (answered 2xx), including answers autocannon stopped waiting for at the end of a run.
    const accepted = gatewayStop.stats.sentDirect + gatewayStop.stats.spooled;

    const topic = physicalTopic('ingest.beacons.v1', naming);
    const offsets = await admin.fetchTopicOffsets(topic);
    const onTopic = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);

    const rows: Figures[] = [
      { ...bareRun.figures, maxRss: bareStop.maxRss, cpuUsPerRequest: (bareStop.cpuMs * 1000) / bareRun.result.requests.total },
      { ...gatewayRun.figures, maxRss: gatewayStop.maxRss, cpuUsPerRequest: (gatewayStop.cpuMs * 1000) / gatewayRun.result.requests.total },
    ];
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    process.stdout.write('\n');
    process.stdout.write(`${'target'.padEnd(20)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'peak RSS'.padStart(9)} ${'2xx'.padStart(9)} ${'errors'.padStart(7)} ${'CPU µs/req'.padStart(11)}\n`);
    for (const r of rows) {
      process.stdout.write(`${r.name.padEnd(20)} ${r.rps.toFixed(0).padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${mib(r.maxRss).padStart(9)} ${String(r.ok).padStart(9)} ${String(r.errors).padStart(7)} ${r.cpuUsPerRequest.toFixed(0).padStart(11)}\n`);
    }
    const ratio = gatewayRun.figures.rps / bareRun.figures.rps;
    const lost = accepted - onTopic;
    process.stdout.write(`\nthroughput ratio gateway/bare: ${ratio.toFixed(2)} (target ≥ 0.50)\n`);
    process.stdout.write(`gateway p99: ${gatewayRun.figures.p99} ms (target < 25 ms)\n`);
    process.stdout.write(
      `beacons accepted by the gateway: ${accepted} (autocannon saw ${gatewayRun.figures.ok} 2xx; the rest were in flight when a run ended); on ${topic}: ${onTopic}; lost: ${Math.max(0, lost)}${lost < 0 ? `; duplicates: ${-lost}` : ''} (spooled ${gatewayStop.stats.spooled}, drained ${gatewayStop.stats.drained})\n`,
    );
    const st = gatewayStop.stats;
    process.stdout.write(`gateway → Kafka: ${st.directSends} sends (acks=all), ${(st.sentDirect / Math.max(1, st.directSends)).toFixed(1)} beacons and ${(st.directSendMs / Math.max(1, st.directSends)).toFixed(2)} ms per send on average\n`);
    process.stdout.write(`machine: ${require('node:os').cpus().length} cores, Node ${process.version}, Kafka at ${env.kafkaBrokers.join(',')}\n`);
    if (lost !== 0) process.exitCode = 1;
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(naming.prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  }
}

main()
  .then(() => setTimeout(() => process.exit(), 100).unref())
  .catch((error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
