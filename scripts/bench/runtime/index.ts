// Runtime benchmark: N Avro records consumed by a bare kafkajs consumer
// (eachBatch, auto-commit) and by the Vane runtime with a no-op processor
// (decode every record, one transaction per unit of work), same topic, same run.
// Usage: npm run bench:runtime -- [--records 1000000]
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connectionsFromEnv } from '@vane/core';
import { SchemaCodec, schemaFiles, topicNames, type Download } from '@vane/schemas';
import { applyTopics, createKafka, physicalTopic, valueSubjectOf } from '@vane/topics';
import { arg, mib, printTable } from '../lib/report';

interface Result {
  count: number;
  seconds: number;
  rate: number;
  maxRss: number;
}

function measure(mode: 'bare' | 'runtime', prefix: string, count: number, round: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'worker.ts'), [mode, prefix, String(count), String(round)], { execArgv: ['--require', 'tsx/cjs', ...(process.env.VANE_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])] });
    child.once('message', (m) => resolve(m as Result));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${mode} worker exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const records = arg('records', 'VANE_BENCH_RECORDS', 1_000_000);
  const connections = connectionsFromEnv(process.env);
  const naming = { prefix: `bench${randomBytes(3).toString('hex')}.` };
  const kafka = createKafka(connections, 'bench');
  const admin = kafka.admin();
  await admin.connect();
  await applyTopics(admin, { naming, only: ['ingest.downloads.v1', 'deadletter.v1'] });
  const codec = new SchemaCodec(connections.registryUrl);
  for (const t of topicNames) await codec.register(valueSubjectOf(t, naming), schemaFiles[t]);
  const subject = valueSubjectOf('ingest.downloads.v1', naming);
  const id = await codec.latestId(subject);
  const type = await codec.typeOf(id);

  process.stdout.write(`producing ${records} Avro records to ${physicalTopic('ingest.downloads.v1', naming)}…\n`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  const base: Download = {
    eventId: '',
    receivedAt: started,
    eventTime: started,
    type: 'download',
    product: 'vane',
    version: '1.0.0',
    siteId: 'site-bench',
    network: { truncatedIp: '198.51.100.0/24', country: 'FR', continent: 'EU', region: 'FR-IDF', asn: 3215, asnOrg: 'Orange' },
  };
  const batch = 5_000;
  for (let done = 0; done < records; done += batch) {
    const messages = [];
    for (let i = done; i < Math.min(records, done + batch); i++) {
      messages.push({ key: 'download', value: codec.encodeWith(id, type, { ...base, eventId: randomUUID(), eventTime: started + i }) });
    }
    await producer.send({ topic: physicalTopic('ingest.downloads.v1', naming), messages, acks: -1 });
  }
  await producer.disconnect();
  process.stdout.write(`produced in ${((Date.now() - started) / 1000).toFixed(1)} s; consuming with the bare consumer, then the runtime…\n`);

  // Alternate the two consumers over several rounds (fresh consumer group
  // each time) and compare medians: a 2-core machine is noisy.
  const rounds = arg('rounds', 'VANE_BENCH_ROUNDS', 3);
  const bares: Result[] = [];
  const runtimes: Result[] = [];
  for (let round = 1; round <= rounds; round++) {
    bares.push(await measure('bare', naming.prefix, records, round));
    runtimes.push(await measure('runtime', naming.prefix, records, round));
    process.stdout.write(`round ${round}: bare ${Math.round(bares[round - 1]!.rate)} msgs/s, runtime ${Math.round(runtimes[round - 1]!.rate)} msgs/s\n`);
  }
  const median = (rs: Result[]): Result => [...rs].sort((a, b) => a.rate - b.rate)[Math.floor(rs.length / 2)]!;
  const bare = median(bares);
  const runtime = median(runtimes);
  const peak = (rs: Result[]): number => Math.max(...rs.map((r) => r.maxRss));
  printTable(`runtime benchmark: ${records} Avro records of ${type.toBuffer(base).length + 5} bytes, median of ${rounds} rounds`, [
    { name: 'bare kafkajs eachBatch', figures: { 'msgs/s': Math.round(bare.rate), seconds: bare.seconds.toFixed(2), 'peak RSS': mib(peak(bares)) } },
    { name: 'vane runtime (no-op)', figures: { 'msgs/s': Math.round(runtime.rate), seconds: runtime.seconds.toFixed(2), 'peak RSS': mib(peak(runtimes)) } },
  ]);
  const ratio = runtime.rate / bare.rate;
  process.stdout.write(`\nratio runtime/bare: ${ratio.toFixed(2)} (target >= 0.70: ${ratio >= 0.7 ? 'met' : 'NOT met'})\n`);

  const topics = (await admin.listTopics()).filter((t) => t.startsWith(naming.prefix));
  await admin.deleteTopics({ topics });
  await admin.disconnect();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
