import type { Command } from 'commander';
import type { Admin, Kafka } from 'kafkajs';
import type { Client as CqlClient } from 'cassandra-driver';
import type { ClickHouseClient } from '@clickhouse/client';
import { readEnv, VaneError } from '@vane/core';
import { createClickhouseClient, createScyllaClient, readChangelog } from '@vane/runtime';
import { applyTopics, createKafka, physicalTopic } from '@vane/topics';
import { ORIGINAL_VERSION, SERVING_TABLE, checkLabel, ensureServingTable, servingVersion, versionNaming, versionedTopics, type VersionNaming } from '@vane/scorer/src/model-version';
import { ScorerPipeline } from '@vane/scorer/src/pipeline';
import { scoresProcessor, windowsProcessor, historyLoader, measurementsLoader, clickhouseTables, scyllaTables } from '@vane/scorer/src/processor';
import { scorerOptionsFromEnv } from '@vane/scorer/src/options';
import { clickhouseHistoryDigest, clickhouseLateDigest, clickhouseMeasurementsDigest, scyllaScoresDigest, type TableDigest } from '@vane/scorer/src/verify';
import type { CliEnvironment } from '../environment';

/**
 * `vane replay`: rebuild a model from topic history into a new version while
 * the live one keeps serving, compare the two, and promote one.
 *
 *   vane replay scorer --from earliest|<ISO time> --as v2 [--force]
 *   vane replay verify scorer --as v2 [--against v1]
 *   vane replay promote scorer --as v2
 *   vane replay drop scorer --as v2
 *
 * Versions, consumer groups, topics and tables are named by
 * @vane/scorer/src/model-version.ts; the serving version is recorded in the
 * Scylla table model_serving and aliased in ClickHouse by `<table>_serving` views.
 */
const MODEL = 'scorer';
const actions = ['verify', 'promote', 'drop'] as const;

interface ReplayOptions {
  from?: string;
  as?: string;
  against?: string;
  force?: boolean;
  timeout?: string;
}

interface Clients {
  e: CliEnvironment;
  kafka: Kafka;
  admin: Admin;
  cql: CqlClient;
  ch: ClickHouseClient;
}

async function withClients<T>(e: CliEnvironment, fn: (c: Clients) => Promise<T>): Promise<T> {
  const kafka = createKafka(e.connections, 'replay');
  const admin = kafka.admin();
  await admin.connect();
  const cql = createScyllaClient(e.connections);
  const ch = createClickhouseClient(e.connections);
  try {
    await cql.connect();
    return await fn({ e, kafka, admin, cql, ch });
  } finally {
    await admin.disconnect().catch(() => undefined);
    await cql.shutdown().catch(() => undefined);
    await ch.close().catch(() => undefined);
  }
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function groupsOf(v: VersionNaming): string[] {
  return [windowsProcessor.name, scoresProcessor.name, historyLoader.name, measurementsLoader.name].map((p) => v.groupId(p));
}

async function activeMembers(admin: Admin, groups: string[]): Promise<string[]> {
  const described = await admin.describeGroups(groups);
  return described.groups.filter((g) => g.members.length > 0).map((g) => `${g.groupId} (${g.members.length} members)`);
}

async function tableExists(c: Clients, table: string): Promise<boolean> {
  const result = await c.cql.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [c.e.connections.scyllaKeyspace, table], { prepare: true });
  return result.rows.length > 0;
}

/** Deletes a non-serving version: its topics, consumer groups and tables. */
async function dropVersion(c: Clients, v: VersionNaming): Promise<void> {
  const existing = new Set(await c.admin.listTopics());
  const topics = versionedTopics.map((t) => v.topicName(t)).filter((t) => existing.has(t));
  if (topics.length > 0) await c.admin.deleteTopics({ topics });
  const groups = (await c.admin.listGroups()).groups.map((g) => g.groupId);
  const mine = groupsOf(v).filter((g) => groups.includes(g));
  if (mine.length > 0) await c.admin.deleteGroups(mine).catch(() => undefined);
  const { scyllaKeyspace: keyspace, clickhouseDatabase: database } = c.e.connections;
  for (const t of scyllaTables) await c.cql.execute(`DROP TABLE IF EXISTS ${keyspace}.${v.tableName(t.table)}`);
  for (const t of clickhouseTables) await c.ch.command({ query: `DROP TABLE IF EXISTS ${database}.${v.tableName(t.table)}` });
  out(`dropped version ${v.label}: ${topics.length} topics, ${mine.length} consumer groups, ${scyllaTables.length + clickhouseTables.length} tables`);
}

async function rebuild(c: Clients, label: string, opts: ReplayOptions): Promise<void> {
  const { e, admin } = c;
  const serving = await servingVersion(c.cql, e.connections.scyllaKeyspace, MODEL);
  if (label === serving) throw new VaneError('VANE_ERR_REPLAY', `${label} is the serving version; replay into a new version (e.g. --as v${Date.now() % 1000})`);
  if (label === ORIGINAL_VERSION) throw new VaneError('VANE_ERR_REPLAY', `${ORIGINAL_VERSION} is the original version's label; pick another`);
  const from = opts.from ?? 'earliest';
  const fromTime = from === 'earliest' ? null : Date.parse(from);
  if (fromTime !== null && !Number.isFinite(fromTime)) throw new VaneError('VANE_ERR_USAGE', `--from must be 'earliest' or an ISO time, got '${from}'`);
  const v = versionNaming(label, e.naming, serving);
  const existing = new Set(await admin.listTopics());
  if (versionedTopics.some((t) => existing.has(v.topicName(t))) || (await tableExists(c, v.tableName('scores')))) {
    if (!opts.force) throw new VaneError('VANE_ERR_REPLAY', `version ${label} exists; add --force to drop and rebuild it, or pick another label`);
    const busy = await activeMembers(admin, groupsOf(v));
    if (busy.length > 0) throw new VaneError('VANE_ERR_REPLAY', `version ${label} is running: ${busy.join(', ')}`);
    await dropVersion(c, v);
  }
  await applyTopics(admin, { naming: { prefix: `${e.naming.prefix}${label}.` }, only: versionedTopics });

  const input = physicalTopic(windowsProcessor.input, e.naming);
  const ends = await admin.fetchTopicOffsets(input);
  const starts =
    fromTime === null
      ? ends.map((o) => ({ partition: o.partition, offset: o.low }))
      : (await admin.fetchTopicOffsetsByTimestamp(input, fromTime)).map((o) => ({ partition: o.partition, offset: o.offset === '-1' ? ends.find((x) => x.partition === o.partition)!.high : o.offset }));
  for (const processor of [windowsProcessor.name, measurementsLoader.name]) {
    await admin.setOffsets({ groupId: v.groupId(processor), topic: input, partitions: starts.map((o) => ({ partition: o.partition, offset: String(o.offset) })) });
  }
  const target = new Map(ends.map((o) => [o.partition, Number(o.high)]));
  const todo = starts.reduce((n, s) => n + Math.max(0, (target.get(s.partition) ?? 0) - Number(s.offset)), 0);
  await ensureServingTable(c.cql, e.connections.scyllaKeyspace);
  out(`replaying ${input} from ${from} (${todo} records up to offsets ${ends.map((o) => `${o.partition}:${o.high}`).join(',')}) into version ${label}`);
  out(`  consumer groups ${groupsOf(v).join(', ')}; topics ${versionedTopics.map((t) => v.topicName(t)).join(', ')}; tables ${[...scyllaTables, ...clickhouseTables].map((t) => v.tableName(t.table)).join(', ')}`);

  const started = Date.now();
  const pipeline = new ScorerPipeline(
    {
      connections: e.connections,
      naming: e.naming,
      processorOptions: scorerOptionsFromEnv(e.env),
      maxBatchRecords: readEnv(e.env).int('VANE_MAX_BATCH_RECORDS', { min: 1 }),
      log: (line) => {
        if (e.env.VANE_DEBUG) e.log(line);
      },
    },
    v,
  );
  await pipeline.start();
  const timeoutMs = Number(opts.timeout ?? 3600) * 1000;
  try {
    const partials = v.topicName('scorer.partials.v1');
    const scores = v.topicName('scores.v1');
    let lastReport = Date.now();
    let stableSince = 0;
    let lastHigh = '';
    for (;;) {
      if (Date.now() - started > timeoutMs) throw new VaneError('VANE_ERR_REPLAY', `version ${label} did not catch up in ${opts.timeout ?? 3600} s`);
      await new Promise((r) => setTimeout(r, 250));
      // Caught up: committed up to the end offsets seen at start, or a fetch found nothing left (lag 0, e.g. after transaction markers).
      let inputDone = true;
      for (const [processor, runtime] of [[windowsProcessor.name, pipeline.windows], [measurementsLoader.name, pipeline.measurements]] as const) {
        const committed = await admin.fetchOffsets({ groupId: v.groupId(processor), topics: [input] });
        inputDone &&= committed[0]!.partitions.every((p) => {
          const want = target.get(p.partition) ?? 0;
          const from = Number(starts.find((o) => o.partition === p.partition)?.offset ?? 0);
          return want <= from || Number(p.offset) >= want || runtime.metrics.lag.get(`${input}/${p.partition}`) === 0;
        });
      }
      const offsets = await admin.fetchTopicOffsets(partials);
      const scoreOffsets = await admin.fetchTopicOffsets(scores);
      const high = [...offsets, ...scoreOffsets].map((o) => `${o.partition}:${o.high}`).join(',');
      const mergeDone = offsets.every((o) => o.high === o.low || pipeline.scores.metrics.lag.get(`${partials}/${o.partition}`) === 0);
      const historyDone = scoreOffsets.every((o) => o.high === o.low || pipeline.history.metrics.lag.get(`${scores}/${o.partition}`) === 0);
      if (inputDone && mergeDone && historyDone && high === lastHigh) {
        if (stableSince === 0) stableSince = Date.now();
        if (Date.now() - stableSince >= 1000) break;
      } else {
        stableSince = 0;
      }
      lastHigh = high;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        out(`  … ${pipeline.windows.metrics.consumed} measurements, ${pipeline.scores.metrics.produced} scores published`);
      }
    }
    await pipeline.flushPending();
    // The scores published by the flush reach the history loader too.
    const flushedTo = await admin.fetchTopicOffsets(scores);
    for (let i = 0; i < 240; i++) {
      if (flushedTo.every((o) => o.high === o.low || pipeline.history.metrics.lag.get(`${scores}/${o.partition}`) === 0)) {
        const again = await admin.fetchTopicOffsets(scores);
        if (again.every((o, k) => o.high === flushedTo[k]!.high)) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    out(`version ${label} caught up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${pipeline.windows.metrics.consumed} measurements, ${pipeline.scores.metrics.produced} scores published (${pipeline.windows.metrics.deadLettered} dead-lettered)`);
    out(`next: vane replay verify ${MODEL} --as ${label}; then vane replay promote ${MODEL} --as ${label}`);
  } finally {
    await pipeline.stop();
  }
}

async function verify(c: Clients, label: string, opts: ReplayOptions): Promise<void> {
  const serving = await servingVersion(c.cql, c.e.connections.scyllaKeyspace, MODEL);
  const against = checkLabel(opts.against ?? serving);
  const sides = [against, label].map((l) => versionNaming(l, c.e.naming, serving));
  const { scyllaKeyspace: keyspace, clickhouseDatabase: database } = c.e.connections;
  const digests: TableDigest[][] = [];
  for (const v of sides) {
    if (!(await tableExists(c, v.tableName('scores')))) throw new VaneError('VANE_ERR_REPLAY', `version ${v.label} has no tables (replay it first)`);
    digests.push([
      await scyllaScoresDigest(c.cql, keyspace, v.tableName('scores')),
      await clickhouseMeasurementsDigest(c.ch, database, v.tableName('measurements')),
      await clickhouseLateDigest(c.ch, database, v.tableName('measurements_late')),
      await clickhouseHistoryDigest(c.ch, database, v.tableName('scores_history')),
    ]);
  }
  const [a, b] = digests as [TableDigest[], TableDigest[]];
  const width = Math.max(...a.map((d) => d.table.length));
  out(`${'table'.padEnd(width)}  ${`${against} rows`.padStart(10)}  ${`${against} checksum`.padEnd(18)}  ${`${label} rows`.padStart(10)}  ${`${label} checksum`.padEnd(18)}  result`);
  let differences = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    const equal = x.rows === y.rows && x.checksum === y.checksum;
    if (!equal) differences++;
    const notes = x.note || y.note ? `  (${x.note ?? ''} / ${y.note ?? ''})` : '';
    out(`${x.table.padEnd(width)}  ${String(x.rows).padStart(10)}  ${x.checksum.padEnd(18)}  ${String(y.rows).padStart(10)}  ${y.checksum.padEnd(18)}  ${equal ? 'equal' : `DIFFERENT (${y.rows - x.rows >= 0 ? '+' : ''}${y.rows - x.rows} rows)`}${notes}`);
  });
  if (differences > 0) throw new VaneError('VANE_ERR_REPLAY_MISMATCH', `${label} differs from ${against} in ${differences} of ${a.length} tables`);
  out(`${label} equals ${against}`);
}

async function promote(c: Clients, label: string): Promise<void> {
  const { e, admin } = c;
  const keyspace = e.connections.scyllaKeyspace;
  const serving = await servingVersion(c.cql, keyspace, MODEL);
  if (label === serving) {
    out(`${label} is already the serving version`);
    return;
  }
  const from = versionNaming(serving, e.naming, serving);
  const to = versionNaming(label, e.naming, label);
  if (!(await tableExists(c, to.tableName('scores')))) throw new VaneError('VANE_ERR_REPLAY', `version ${label} has no tables (replay it first)`);
  const busy = await activeMembers(admin, [...groupsOf(from), ...groupsOf(to)]);
  if (busy.length > 0) throw new VaneError('VANE_ERR_REPLAY', `stop the running scorer before promoting (active: ${busy.join(', ')}); start it again afterwards`);

  // scores.v1 is what resolvers follow: make it hold the new version's scores now.
  const source = versionNaming(label, e.naming, serving).topicName('scores.v1');
  const target = physicalTopic('scores.v1', e.naming);
  const [next, current] = [await latestRecords(c, source), await latestRecords(c, target)];
  const producer = c.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = [...next].map(([key, value]) => ({ key, value }));
    for (const key of current.keys()) if (!next.has(key)) messages.push({ key, value: null as unknown as Buffer });
    for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic: target, messages: messages.slice(i, i + 1000), acks: -1 });
    out(`published ${next.size} scores of ${label} to ${target} (${messages.length - next.size} deleted)`);
  } finally {
    await producer.disconnect();
  }
  await c.cql.execute(`INSERT INTO ${keyspace}.${SERVING_TABLE} (model, version, previous, promoted_at) VALUES (?, ?, ?, ?)`, [MODEL, label, serving, new Date()], { prepare: true });
  const database = e.connections.clickhouseDatabase;
  for (const t of clickhouseTables) {
    await c.ch.command({ query: `DROP TABLE IF EXISTS ${database}.${t.table}_serving` });
    await c.ch.command({ query: `CREATE VIEW ${database}.${t.table}_serving AS SELECT * FROM ${database}.${to.tableName(t.table)}` });
  }
  out(`${label} is now the serving version of ${MODEL} (was ${serving}): Scylla ${keyspace}.${to.tableName('scores')}, ClickHouse views ${clickhouseTables.map((t) => `${t.table}_serving`).join(', ')}`);
  out(`start the scorer again (vane run scorer runs ${label}); drop ${serving} when no longer needed: vane replay drop ${MODEL} --as ${serving}`);
}

/** The latest raw value per key of a compacted topic, read to its current end. */
async function latestRecords(c: Clients, topic: string): Promise<Map<string, Buffer>> {
  const latest = new Map<string, Buffer>();
  const partitions = (await c.admin.fetchTopicOffsets(topic)).map((o) => o.partition);
  await readChangelog({
    kafka: c.kafka,
    topic,
    partitions,
    groupPrefix: `${c.e.naming.prefix}vane.replay`,
    onRecord: (_p, key, value) => {
      if (value) latest.set(key, value);
      else latest.delete(key);
    },
  });
  return latest;
}

export function registerReplay(program: Command, environment: () => CliEnvironment): void {
  program
    .command('replay')
    .argument('<processor-or-action>', `a replayable processor (${MODEL}) to rebuild, or one of: ${actions.join(', ')}`)
    .argument('[processor]', `the processor of verify/promote/drop (default ${MODEL})`)
    .description('rebuild a model from topic history into a new version, verify it against the live one, promote it')
    .option('--from <when>', "where the rebuild starts: 'earliest' or an ISO time", 'earliest')
    .option('--as <version>', 'the version label to build, verify, promote or drop (e.g. v2)')
    .option('--against <version>', 'verify: the version to compare with (default: the serving one)')
    .option('--force', 'rebuild: drop the version first if it exists')
    .option('--timeout <seconds>', 'rebuild: give up if not caught up after this long', '3600')
    .addHelpText(
      'after',
      `\nExamples:\n  vane replay ${MODEL} --from earliest --as v2\n  vane replay ${MODEL} --from 2025-01-15T12:00:00Z --as v3\n  vane replay verify ${MODEL} --as v2\n  vane replay promote ${MODEL} --as v2`,
    )
    .action(async (first: string, second: string | undefined, opts: ReplayOptions) => {
      const action = (actions as readonly string[]).includes(first) ? first : 'rebuild';
      const processor = action === 'rebuild' ? first : (second ?? MODEL);
      if (processor !== MODEL) throw new VaneError('VANE_ERR_USAGE', `'${processor}' cannot be replayed (replayable: ${MODEL})`);
      if (!opts.as) throw new VaneError('VANE_ERR_USAGE', '--as <version> is required (e.g. --as v2)');
      const label = checkLabel(opts.as);
      const e = environment();
      await withClients(e, async (c) => {
        if (action === 'rebuild') await rebuild(c, label, opts);
        else if (action === 'verify') await verify(c, label, opts);
        else if (action === 'promote') await promote(c, label);
        else {
          const serving = await servingVersion(c.cql, e.connections.scyllaKeyspace, MODEL);
          if (label === serving) throw new VaneError('VANE_ERR_REPLAY', `${label} is the serving version; promote another one first`);
          const v = versionNaming(label, e.naming, serving);
          const busy = await activeMembers(c.admin, groupsOf(v));
          if (busy.length > 0) throw new VaneError('VANE_ERR_REPLAY', `version ${label} is running: ${busy.join(', ')}`);
          await dropVersion(c, v);
        }
      });
    });
}
