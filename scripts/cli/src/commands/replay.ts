import type { Command } from 'commander';
import type { Admin, Kafka } from 'kafkajs';
import type { Client as CqlClient } from 'cassandra-driver';
import type { ClickHouseClient } from '@clickhouse/client';
import { readEnv, VaneError } from '@vane/core';
import {
  ORIGINAL_VERSION,
  checkLabel,
  createClickhouseClient,
  createScyllaClient,
  ensureServingTable,
  readChangelog,
  recordServingVersion,
  servingVersion,
  versionNaming,
  type ReplayPipeline,
  type ReplayRuntime,
  type ReplaySpec,
  type TableDigest,
  type VersionNaming,
} from '@vane/runtime';
import type { TopicName } from '@vane/schemas';
import { applyTopics, createKafka, physicalTopic } from '@vane/topics';
import type { CliEnvironment } from '../environment';
import { replayable } from '../replayable';

/**
 * `vane replay`: rebuild a processor's model from topic history into a new
 * version while the live one keeps serving, compare the two, and promote one.
 *
 *   vane replay <processor> --from earliest|<ISO time> --as v2 [--force]
 *   vane replay verify <processor> --as v2 [--against v1]
 *   vane replay promote <processor> --as v2
 *   vane replay drop <processor> --as v2
 *
 * What a processor's model is (its processors, versioned topics, tables,
 * verify digests) is its package's ReplaySpec (@vane/runtime replay-spec.ts),
 * registered in ../replayable.ts. Versions, consumer groups, topics and
 * tables are named by @vane/runtime versioning.ts; the serving version is
 * recorded in the Scylla table model_serving and aliased in ClickHouse by
 * `<table>_serving` views.
 */
const DEFAULT_MODEL = 'scorer';
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
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function specOf(name: string): ReplaySpec {
  const spec = replayable.get(name);
  if (!spec) throw new VaneError('VANE_ERR_USAGE', `'${name}' cannot be replayed (replayable: ${[...replayable.keys()].join(', ')})`);
  return spec;
}

const isVersioned = (spec: ReplaySpec, topic: TopicName): boolean => spec.topics.versioned.includes(topic);

/** The processors that read a shared input (a rebuild sets their offsets), and the shared inputs themselves. */
function inputReaders(spec: ReplaySpec): { name: string; input: TopicName }[] {
  return spec.processors.filter((p) => !isVersioned(spec, p.input));
}

function groupsOf(spec: ReplaySpec, v: VersionNaming): string[] {
  return spec.processors.map((p) => v.groupId(p.name));
}

function tableNames(spec: ReplaySpec, v: VersionNaming): string[] {
  return [...spec.scyllaTables, ...spec.clickhouseTables].map((t) => v.tableName(t.table));
}

async function activeMembers(admin: Admin, groups: string[]): Promise<string[]> {
  const described = await admin.describeGroups(groups);
  return described.groups.filter((g) => g.members.length > 0).map((g) => `${g.groupId} (${g.members.length} members)`);
}

/** The tables of version v that exist, and those that do not. */
async function tablesOf(c: Clients, spec: ReplaySpec, v: VersionNaming): Promise<{ present: string[]; missing: string[] }> {
  const { scyllaKeyspace: keyspace, clickhouseDatabase: database } = c.e.connections;
  const scylla = new Set((await c.cql.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [keyspace], { prepare: true })).rows.map((r) => r.table_name as string));
  const result = await c.ch.query({ query: `SELECT name FROM system.tables WHERE database = '${database}'`, format: 'JSONEachRow' });
  const clickhouse = new Set(((await result.json()) as { name: string }[]).map((r) => r.name));
  const present: string[] = [];
  const missing: string[] = [];
  for (const t of spec.scyllaTables) (scylla.has(v.tableName(t.table)) ? present : missing).push(`scylla ${v.tableName(t.table)}`);
  for (const t of spec.clickhouseTables) (clickhouse.has(v.tableName(t.table)) ? present : missing).push(`clickhouse ${v.tableName(t.table)}`);
  return { present, missing };
}

async function requireTables(c: Clients, spec: ReplaySpec, v: VersionNaming): Promise<void> {
  const { present, missing } = await tablesOf(c, spec, v);
  if (present.length === 0) throw new VaneError('VANE_ERR_REPLAY', `version ${v.label} of ${spec.model} has no tables (replay it first)`);
  if (missing.length > 0) throw new VaneError('VANE_ERR_REPLAY', `version ${v.label} of ${spec.model} lacks ${missing.join(', ')} (replay it again with --force)`);
}

/**
 * Deletes a non-serving version: its topics, consumer groups and tables —
 * never a topic the serving version writes (after a promotion, v1's served
 * topics have the serving version's plain names).
 */
async function dropVersion(c: Clients, spec: ReplaySpec, v: VersionNaming, serving: VersionNaming): Promise<void> {
  const existing = new Set(await c.admin.listTopics());
  const servingTopics = new Set(spec.topics.versioned.map((t) => serving.topicName(t)));
  const topics = spec.topics.versioned.map((t) => v.topicName(t)).filter((t) => existing.has(t) && !servingTopics.has(t));
  if (topics.length > 0) await c.admin.deleteTopics({ topics });
  const groups = (await c.admin.listGroups()).groups.map((g) => g.groupId);
  const mine = groupsOf(spec, v).filter((g) => groups.includes(g));
  if (mine.length > 0) await c.admin.deleteGroups(mine).catch(() => undefined);
  const { scyllaKeyspace: keyspace, clickhouseDatabase: database } = c.e.connections;
  for (const t of spec.scyllaTables) await c.cql.execute(`DROP TABLE IF EXISTS ${keyspace}.${v.tableName(t.table)}`);
  for (const t of spec.clickhouseTables) await c.ch.command({ query: `DROP TABLE IF EXISTS ${database}.${v.tableName(t.table)}` });
  out(`dropped version ${v.label} of ${spec.model}: ${topics.length} topics, ${mine.length} consumer groups, ${spec.scyllaTables.length + spec.clickhouseTables.length} tables`);
}

/** Where a rebuild starts and what it must reach in one shared input topic (end offsets as of the start). */
interface InputRange {
  topic: string;
  starts: Map<number, number>;
  target: Map<number, number>;
}

async function inputRange(admin: Admin, topic: string, fromTime: number | null): Promise<InputRange> {
  const ends = await admin.fetchTopicOffsets(topic);
  const starts =
    fromTime === null
      ? ends.map((o) => ({ partition: o.partition, offset: o.low }))
      : (await admin.fetchTopicOffsetsByTimestamp(topic, fromTime)).map((o) => ({ partition: o.partition, offset: o.offset === '-1' ? ends.find((x) => x.partition === o.partition)!.high : o.offset }));
  return { topic, starts: new Map(starts.map((o) => [o.partition, Number(o.offset)])), target: new Map(ends.map((o) => [o.partition, Number(o.high)])) };
}

/**
 * Caught-up detection over a version's pipeline. Caught up when every reader
 * of a shared input has committed up to the end offsets seen at the start
 * (or a fetch found nothing left: lag 0, e.g. after transaction markers),
 * every processor reading a versioned topic has lag 0 on each non-empty
 * partition of it, and neither the end offsets of the versioned inputs nor
 * the records consumed have moved for a second.
 */
class CatchUp {
  private stableSince = 0;
  private lastHigh = '';

  constructor(
    private readonly c: Clients,
    private readonly spec: ReplaySpec,
    private readonly v: VersionNaming,
    private readonly inputs: Map<string, InputRange>,
    private readonly pipeline: ReplayPipeline,
  ) {}

  runtimeOf(processor: string): ReplayRuntime {
    const group = this.v.groupId(processor);
    const runtime = this.pipeline.runtimes().find((r) => r.groupId === group);
    if (!runtime) throw new VaneError('VANE_ERR_REPLAY', `the pipeline of ${this.spec.model} has no runtime for ${processor} (group ${group})`);
    return runtime;
  }

  private async inputDone(): Promise<boolean> {
    for (const p of inputReaders(this.spec)) {
      const range = this.inputs.get(this.v.topicName(p.input))!;
      const lag = this.runtimeOf(p.name).metrics.lag;
      const committed = await this.c.admin.fetchOffsets({ groupId: this.v.groupId(p.name), topics: [range.topic] });
      const done = committed[0]!.partitions.every((o) => {
        const want = range.target.get(o.partition) ?? 0;
        const from = range.starts.get(o.partition) ?? 0;
        return want <= from || Number(o.offset) >= want || lag.get(`${range.topic}/${o.partition}`) === 0;
      });
      if (!done) return false;
    }
    return true;
  }

  /** Whether every versioned input is consumed, and its end offsets and the records consumed (to see them settle). */
  private async internal(): Promise<{ done: boolean; high: string }> {
    let done = true;
    const highs = [String(this.pipeline.runtimes().reduce((n, r) => n + r.metrics.consumed, 0))];
    for (const p of this.spec.processors.filter((x) => isVersioned(this.spec, x.input))) {
      const topic = this.v.topicName(p.input);
      const lag = this.runtimeOf(p.name).metrics.lag;
      const offsets = await this.c.admin.fetchTopicOffsets(topic);
      done &&= offsets.every((o) => o.high === o.low || lag.get(`${topic}/${o.partition}`) === 0);
      highs.push(`${topic}@${offsets.map((o) => `${o.partition}:${o.high}`).join(',')}`);
    }
    return { done, high: highs.join(';') };
  }

  /** Resolves once caught up (see above); throws after the deadline. */
  async settle(deadline: number, timeoutText: string, progress: () => void): Promise<void> {
    this.stableSince = 0;
    let lastReport = Date.now();
    for (;;) {
      if (Date.now() > deadline) throw new VaneError('VANE_ERR_REPLAY', timeoutText);
      await sleep(250);
      const inputDone = await this.inputDone();
      const { done, high } = await this.internal();
      if (inputDone && done && high === this.lastHigh) {
        if (this.stableSince === 0) this.stableSince = Date.now();
        if (Date.now() - this.stableSince >= 1000) return;
      } else {
        this.stableSince = 0;
      }
      this.lastHigh = high;
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        progress();
      }
    }
  }
}

async function rebuild(c: Clients, spec: ReplaySpec, label: string, opts: ReplayOptions): Promise<void> {
  const { e, admin } = c;
  const serving = await servingVersion(c.cql, e.connections.scyllaKeyspace, spec.model);
  if (label === serving) throw new VaneError('VANE_ERR_REPLAY', `${label} is the serving version; replay into a new version (e.g. --as v${Date.now() % 1000})`);
  if (label === ORIGINAL_VERSION) throw new VaneError('VANE_ERR_REPLAY', `${ORIGINAL_VERSION} is the original version's label; pick another`);
  const from = opts.from ?? 'earliest';
  const fromTime = from === 'earliest' ? null : Date.parse(from);
  if (fromTime !== null && !Number.isFinite(fromTime)) throw new VaneError('VANE_ERR_USAGE', `--from must be 'earliest' or an ISO time, got '${from}'`);
  const v = versionNaming(label, e.naming, serving, spec.topics);
  const existing = new Set(await admin.listTopics());
  if (spec.topics.versioned.some((t) => existing.has(v.topicName(t))) || (await tablesOf(c, spec, v)).present.length > 0) {
    if (!opts.force) throw new VaneError('VANE_ERR_REPLAY', `version ${label} exists; add --force to drop and rebuild it, or pick another label`);
    const busy = await activeMembers(admin, groupsOf(spec, v));
    if (busy.length > 0) throw new VaneError('VANE_ERR_REPLAY', `version ${label} is running: ${busy.join(', ')}`);
    await dropVersion(c, spec, v, versionNaming(serving, e.naming, serving, spec.topics));
  }
  if (spec.topics.versioned.length > 0) await applyTopics(admin, { naming: { prefix: `${e.naming.prefix}${label}.` }, only: spec.topics.versioned });

  const inputs = new Map<string, InputRange>();
  for (const p of inputReaders(spec)) {
    const topic = v.topicName(p.input);
    if (!inputs.has(topic)) inputs.set(topic, await inputRange(admin, topic, fromTime));
    const range = inputs.get(topic)!;
    await admin.setOffsets({ groupId: v.groupId(p.name), topic, partitions: [...range.starts].map(([partition, offset]) => ({ partition, offset: String(offset) })) });
  }
  if (inputs.size === 0) throw new VaneError('VANE_ERR_REPLAY', `${spec.model} declares no processor reading a shared input`);
  let todo = 0;
  for (const range of inputs.values()) for (const [p, s] of range.starts) todo += Math.max(0, (range.target.get(p) ?? 0) - s);
  const ends = [...inputs.values()].map((r) => `${inputs.size > 1 ? `${r.topic} ` : ''}${[...r.target].map(([p, h]) => `${p}:${h}`).join(',')}`).join('; ');
  await ensureServingTable(c.cql, e.connections.scyllaKeyspace);
  out(`replaying ${[...inputs.keys()].join(', ')} from ${from} (${todo} records up to offsets ${ends}) into version ${label}`);
  const topics = spec.topics.versioned.length > 0 ? `; topics ${spec.topics.versioned.map((t) => v.topicName(t)).join(', ')}` : '';
  out(`  consumer groups ${groupsOf(spec, v).join(', ')}${topics}; tables ${tableNames(spec, v).join(', ')}`);

  const started = Date.now();
  const pipeline = spec.pipeline(
    {
      connections: e.connections,
      naming: e.naming,
      processorOptions: spec.optionsFromEnv ? spec.optionsFromEnv(e.env) : {},
      maxBatchRecords: readEnv(e.env).int('VANE_MAX_BATCH_RECORDS', { min: 1 }),
      log: (line) => {
        if (e.env.VANE_DEBUG) e.log(line);
      },
    },
    v,
  );
  const catchUp = new CatchUp(c, spec, v, inputs, pipeline);
  const counts = (): string => spec.processors.map((p) => {
    const m = catchUp.runtimeOf(p.name).metrics;
    return `${p.name} ${m.consumed} in, ${m.produced + m.scyllaRows + m.clickhouseRows} out`;
  }).join('; ');
  await pipeline.start();
  const timeoutMs = Number(opts.timeout ?? 3600) * 1000;
  try {
    const deadline = started + timeoutMs;
    const late = `version ${label} did not catch up in ${opts.timeout ?? 3600} s`;
    const progress = (): void => out(`  … ${counts()}`);
    await catchUp.settle(deadline, late, progress);
    if (pipeline.flush) {
      await pipeline.flush();
      // What the flush published reaches the processors downstream too.
      await catchUp.settle(deadline, late, progress);
    }
    const runtimes = spec.processors.map((p) => catchUp.runtimeOf(p.name));
    const read = inputReaders(spec).reduce((n, p) => n + catchUp.runtimeOf(p.name).metrics.consumed, 0);
    const deadLettered = runtimes.reduce((n, r) => n + r.metrics.deadLettered, 0);
    out(`version ${label} caught up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${read} input records (${deadLettered} dead-lettered); ${counts()}`);
    out(`next: vane replay verify ${spec.model} --as ${label}; then vane replay promote ${spec.model} --as ${label}`);
  } finally {
    await pipeline.stop();
  }
}

async function verify(c: Clients, spec: ReplaySpec, label: string, opts: ReplayOptions): Promise<void> {
  const serving = await servingVersion(c.cql, c.e.connections.scyllaKeyspace, spec.model);
  const against = checkLabel(opts.against ?? serving);
  const sides = [against, label].map((l) => versionNaming(l, c.e.naming, serving, spec.topics));
  const stores = { cql: c.cql, ch: c.ch, keyspace: c.e.connections.scyllaKeyspace, database: c.e.connections.clickhouseDatabase };
  const digests: TableDigest[][] = [];
  for (const v of sides) {
    await requireTables(c, spec, v);
    const side: TableDigest[] = [];
    for (const check of spec.verify) side.push(await check.digest(stores, v.tableName(check.table)));
    digests.push(side);
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

async function promote(c: Clients, spec: ReplaySpec, label: string): Promise<void> {
  const { e, admin } = c;
  const keyspace = e.connections.scyllaKeyspace;
  const serving = await servingVersion(c.cql, keyspace, spec.model);
  if (label === serving) {
    out(`${label} is already the serving version`);
    return;
  }
  const from = versionNaming(serving, e.naming, serving, spec.topics);
  const to = versionNaming(label, e.naming, label, spec.topics);
  await requireTables(c, spec, to);
  const busy = await activeMembers(admin, [...groupsOf(spec, from), ...groupsOf(spec, to)]);
  if (busy.length > 0) throw new VaneError('VANE_ERR_REPLAY', `stop the running ${spec.model} before promoting (active: ${busy.join(', ')}); start it again afterwards`);

  // Served topics are what consumers outside the model follow: make them hold the new version's records now.
  const unpromoted = versionNaming(label, e.naming, serving, spec.topics);
  for (const topic of spec.topics.served ?? []) await republish(c, unpromoted.topicName(topic), physicalTopic(topic, e.naming), label);
  await recordServingVersion(c.cql, keyspace, spec.model, label, serving);
  const database = e.connections.clickhouseDatabase;
  for (const t of spec.clickhouseTables) {
    await c.ch.command({ query: `DROP TABLE IF EXISTS ${database}.${t.table}_serving` });
    await c.ch.command({ query: `CREATE VIEW ${database}.${t.table}_serving AS SELECT * FROM ${database}.${to.tableName(t.table)}` });
  }
  const where = [
    ...spec.scyllaTables.map((t) => `Scylla ${keyspace}.${to.tableName(t.table)}`),
    ...(spec.clickhouseTables.length > 0 ? [`ClickHouse views ${spec.clickhouseTables.map((t) => `${t.table}_serving`).join(', ')}`] : []),
  ];
  out(`${label} is now the serving version of ${spec.model} (was ${serving}): ${where.join(', ')}`);
  out(`start the ${spec.model} again (vane run ${spec.model} runs ${label}); drop ${serving} when no longer needed: vane replay drop ${spec.model} --as ${serving}`);
}

/** Makes a compacted topic hold the latest record per key of another: new values written, keys it lacks deleted. */
async function republish(c: Clients, source: string, target: string, label: string): Promise<void> {
  const [next, current] = [await latestRecords(c, source), await latestRecords(c, target)];
  const producer = c.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = [...next].map(([key, value]) => ({ key, value }));
    for (const key of current.keys()) if (!next.has(key)) messages.push({ key, value: null as unknown as Buffer });
    for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic: target, messages: messages.slice(i, i + 1000), acks: -1 });
    out(`published ${next.size} records of ${label} to ${target} (${messages.length - next.size} deleted)`);
  } finally {
    await producer.disconnect();
  }
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

async function drop(c: Clients, spec: ReplaySpec, label: string): Promise<void> {
  const serving = await servingVersion(c.cql, c.e.connections.scyllaKeyspace, spec.model);
  if (label === serving) throw new VaneError('VANE_ERR_REPLAY', `${label} is the serving version; promote another one first`);
  const v = versionNaming(label, c.e.naming, serving, spec.topics);
  const busy = await activeMembers(c.admin, groupsOf(spec, v));
  if (busy.length > 0) throw new VaneError('VANE_ERR_REPLAY', `version ${label} is running: ${busy.join(', ')}`);
  await dropVersion(c, spec, v, versionNaming(serving, c.e.naming, serving, spec.topics));
}

export function registerReplay(program: Command, environment: () => CliEnvironment): void {
  const names = [...replayable.keys()];
  const width = Math.max(...names.map((n) => n.length));
  const listing = [...replayable.values()].map((s) => `  ${s.model.padEnd(width)}  ${s.description}`).join('\n');
  program
    .command('replay')
    .argument('<processor-or-action>', `a replayable processor (${names.join(', ')}) to rebuild, or one of: ${actions.join(', ')}`)
    .argument('[processor]', `the processor of verify/promote/drop (default ${DEFAULT_MODEL})`)
    .description('rebuild a model from topic history into a new version, verify it against the live one, promote it')
    .option('--from <when>', "where the rebuild starts: 'earliest' or an ISO time", 'earliest')
    .option('--as <version>', 'the version label to build, verify, promote or drop (e.g. v2)')
    .option('--against <version>', 'verify: the version to compare with (default: the serving one)')
    .option('--force', 'rebuild: drop the version first if it exists')
    .option('--timeout <seconds>', 'rebuild: give up if not caught up after this long', '3600')
    .addHelpText(
      'after',
      `\nReplayable processors (what a version holds):\n${listing}\n\nExamples:\n  vane replay scorer --from earliest --as v2\n  vane replay scorer --from 2025-01-15T12:00:00Z --as v3\n  vane replay verify scorer --as v2\n  vane replay promote scorer --as v2\n  vane replay decisions-loader --as v2 && vane replay verify decisions-loader --as v2`,
    )
    .action(async (first: string, second: string | undefined, opts: ReplayOptions) => {
      const action = (actions as readonly string[]).includes(first) ? first : 'rebuild';
      const spec = specOf(action === 'rebuild' ? first : (second ?? DEFAULT_MODEL));
      if (!opts.as) throw new VaneError('VANE_ERR_USAGE', '--as <version> is required (e.g. --as v2)');
      const label = checkLabel(opts.as);
      const e = environment();
      await withClients(e, async (c) => {
        if (action === 'rebuild') await rebuild(c, spec, label, opts);
        else if (action === 'verify') await verify(c, spec, label, opts);
        else if (action === 'promote') await promote(c, spec, label);
        else await drop(c, spec, label);
      });
    });
}
