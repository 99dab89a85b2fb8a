import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import type { Type } from 'avsc';
import { types as cqlTypes, type Client as CqlClient } from 'cassandra-driver';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Server } from 'node:http';
import { VaneError, describeError, isVaneError, type Connections } from '@vane/core';
import { SchemaCodec, avroType, schemaFiles, type DeadLetter, type TopicName } from '@vane/schemas';
import { createKafka, physicalTopic, valueSubjectOf, type TopicNaming } from '@vane/topics';
import { InvalidRecord, type Output, type ProcessLogger, type ProcessorManifest, type SourceRecord, type UnitContext } from './manifest';
import { RuntimeMetrics } from './metrics';
import { ClickhouseSink, createClickhouseClient } from './sinks/clickhouse';
import { ScyllaSink, createScyllaClient, writeTimeOf, type ScyllaRow } from './sinks/scylla';
import { noState } from './state';
import { StateManager } from './state-manager';

export interface RuntimeOptions {
  connections: Connections;
  naming: TopicNaming;
  /** Raw processor options (validated by the manifest). */
  processorOptions?: Record<string, unknown>;
  /** Consumer group; default `vane.<name>` (with the topic prefix in front). */
  groupId?: string;
  /** Physical table name of a logical one (replays write to versioned tables). */
  tableName?: (table: string) => string;
  /**
   * Physical topic of a logical one; default prefix + name. Replays map a
   * processor's outputs, changelog and internal inputs to versioned topics.
   * Schemas are still looked up under the logical topic's subject.
   */
  topicName?: (topic: TopicName) => string;
  /**
   * Partitions whose units of work run at the same time (kafkajs
   * partitionsConsumedConcurrently); units of one partition never overlap.
   * Default 1.
   */
  partitionsConcurrently?: number;
  /** Records per unit of work (one transaction, one store write each). Default 20000. */
  maxBatchRecords?: number;
  /** Consumer session timeout; a killed member is noticed after this. Default 30 s. */
  sessionTimeoutMs?: number;
  /** Serve /metrics and /healthz on this 127.0.0.1 port. */
  metricsPort?: number;
  log?: (line: string) => void;
  /** Clock handed to `process` as ctx.now (tests pin it). */
  clock?: () => number;
}

interface PendingWork {
  messages: Map<string, Message[]>;
  scylla: ScyllaRow[];
  clickhouse: { table: string; row: Record<string, unknown> }[];
  deadLetters: number;
  produced: number;
  stateChanges: number;
}

const MAX_BACKOFF_MS = 30_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The consumer-group loop that runs a processor (manifest.ts). Each unit of work (up to
 * maxBatchRecords records of one partition) is: decode → process → store
 * writes (idempotent) → one Kafka transaction holding every produced record,
 * every dead letter and the consumer offset. A crash anywhere before the
 * commit replays the unit: stores converge (idempotent writes) and the
 * aborted transaction's records are never seen by read_committed consumers,
 * so no effect is lost or doubled.
 */
export class ProcessorRuntime<In extends TopicName, Options, State = never> {
  readonly metrics = new RuntimeMetrics();
  readonly groupId: string;
  private readonly kafka: Kafka;
  private readonly codec: SchemaCodec;
  private readonly reader: Type;
  private readonly options: Options;
  private readonly declared: Set<string>;
  private readonly producers = new Map<number, Producer>();
  private readonly outputIds = new Map<string, { id: number; type: Type }>();
  private consumer?: Consumer;
  private cql?: CqlClient;
  private ch?: ClickHouseClient;
  private scylla?: ScyllaSink;
  private clickhouse?: ClickhouseSink;
  private server?: Server;
  private stopping = false;
  private readonly log: (line: string) => void;
  private readonly inputTopic: string;
  private readonly deadletterTopic: string;
  private readonly state?: StateManager<State>;
  /** Per partition: units of work and punctuations run one at a time (they share the partition's state). */
  private readonly tails = new Map<number, Promise<unknown>>();
  private punctuation?: NodeJS.Timeout;
  private punctuating = false;

  constructor(
    private readonly manifest: ProcessorManifest<In, Options, State>,
    private readonly runtime: RuntimeOptions,
  ) {
    this.options = manifest.options(runtime.processorOptions ?? {});
    this.groupId = runtime.groupId ?? `${runtime.naming.prefix}vane.${manifest.name}`;
    this.kafka = createKafka(runtime.connections, manifest.name);
    this.codec = new SchemaCodec(runtime.connections.registryUrl);
    this.reader = avroType(schemaFiles[manifest.input]);
    this.declared = new Set(manifest.outputs.map((o) => `${o.kind}:${o.kind === 'produce' ? o.topic : o.table}`));
    this.log = runtime.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.inputTopic = this.topic(manifest.input);
    this.deadletterTopic = this.topic('deadletter.v1');
    if (manifest.state) {
      this.state = new StateManager(manifest.state, {
        kafka: this.kafka,
        codec: this.codec,
        topic: this.topic(manifest.state.changelog),
        subject: valueSubjectOf(manifest.state.changelog, runtime.naming),
        inputTopic: this.inputTopic,
        groupId: this.groupId,
        log: this.log,
      });
    }
  }

  private topic(name: TopicName): string {
    return this.runtime.topicName ? this.runtime.topicName(name) : physicalTopic(name, this.runtime.naming);
  }

  private exclusive<T>(partition: number, fn: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(partition) ?? Promise.resolve()).then(fn, fn);
    this.tails.set(partition, run.catch(() => undefined));
    return run;
  }

  private logger(): ProcessLogger {
    const emit = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      this.log(JSON.stringify({ level, processor: this.manifest.name, message, ...fields }));
    return { info: emit('info'), warn: emit('warn') };
  }

  private tableName(table: string): string {
    return this.runtime.tableName ? this.runtime.tableName(table) : table;
  }

  /** Connects everything, creates tables, and starts consuming (returns once the consumer runs). */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = new Set(await admin.listTopics());
      for (const t of [this.inputTopic, this.deadletterTopic]) {
        if (!topics.has(t)) throw new VaneError('VANE_ERR_UNKNOWN_TOPIC', `topic ${t} does not exist; run \`vane topics apply\``);
      }
      await this.state?.start(admin);
    } finally {
      await admin.disconnect();
    }
    const produceTopics: TopicName[] = ['deadletter.v1'];
    for (const o of this.manifest.outputs) if (o.kind === 'produce') produceTopics.push(o.topic);
    for (const topic of produceTopics) {
      const id = await this.codec.latestId(valueSubjectOf(topic, this.runtime.naming));
      this.outputIds.set(topic, { id, type: await this.codec.typeOf(id) });
    }
    const { connections } = this.runtime;
    if (this.manifest.outputs.some((o) => o.kind === 'scylla')) {
      this.cql = createScyllaClient(connections);
      await this.cql.connect();
      this.scylla = new ScyllaSink(this.cql, connections.scyllaKeyspace, (t) => this.tableName(t));
      await this.scylla.migrate(this.manifest.scyllaTables ?? []);
    }
    if (this.manifest.outputs.some((o) => o.kind === 'clickhouse')) {
      this.ch = createClickhouseClient(connections);
      this.clickhouse = new ClickhouseSink(this.ch, connections.clickhouseDatabase, (t) => this.tableName(t));
      await this.clickhouse.migrate(this.manifest.clickhouseTables ?? []);
    }
    if (this.runtime.metricsPort !== undefined) this.server = await this.metrics.serve(this.manifest.name, this.runtime.metricsPort);

    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.runtime.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3000, Math.floor((this.runtime.sessionTimeoutMs ?? 30_000) / 3)),
      readUncommitted: false,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
    });
    // Lag as of every fetched batch, including batches of only transaction
    // markers (which never reach eachBatch): 0 once everything is processed.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => this.metrics.lag.set(`${payload.topic}/${payload.partition}`, Math.max(0, Number(payload.offsetLag))));
    if (this.state) {
      const state = this.state;
      this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => state.onAssignment(payload.memberAssignment[this.inputTopic] ?? []));
    }
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.inputTopic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.runtime.partitionsConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    if (this.state && this.manifest.punctuate) {
      const every = this.manifest.punctuate.everyMs(this.options);
      this.punctuation = setInterval(() => void this.punctuateAll(), every);
      this.punctuation.unref();
    }
  }

  /** Makes this runtime the only writer of the partitions' transactional ids (aborting a previous owner's open transaction). */
  private async fence(partitions: number[]): Promise<void> {
    for (const p of partitions) {
      const old = this.producers.get(p);
      this.producers.delete(p);
      if (old) await old.disconnect().catch(() => undefined);
      await this.producerFor(p);
    }
  }

  private async producerFor(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      // One transactional id per input partition: a restarted or rebalanced
      // owner of the partition fences the previous one (zombie fencing).
      producer = this.kafka.producer({
        transactionalId: `${this.groupId}.${this.inputTopic}.${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      this.producers.set(partition, producer);
    }
    return producer;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.metrics.firstBatchAt === 0) this.metrics.firstBatchAt = Date.now();
    const size = this.runtime.maxBatchRecords ?? 20_000;
    const key = `${batch.topic}/${batch.partition}`;
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!isRunning() || isStale() || this.stopping) return;
      const chunk = batch.messages.slice(start, start + size);
      const last = chunk[chunk.length - 1]!.offset;
      let attempt = 0;
      for (;;) {
        try {
          const work = await this.exclusive(batch.partition, async () => {
            if (this.state) await this.state.ensure(batch.partition, (ps) => this.fence(ps), heartbeat);
            const prepared = await this.prepare(batch.topic, batch.partition, chunk);
            await this.flush(prepared, batch.partition, (BigInt(last) + 1n).toString());
            return prepared;
          });
          this.metrics.consumed += chunk.length;
          this.metrics.produced += work.produced;
          this.metrics.deadLettered += work.deadLetters;
          this.metrics.scyllaRows += work.scylla.length;
          this.metrics.clickhouseRows += work.clickhouse.length;
          this.metrics.batches++;
          break;
        } catch (error) {
          // The store absorbed records whose unit did not commit: rebuild it from the changelog.
          this.state?.invalidate(batch.partition);
          if (isVaneError(error) && !error.retriable) throw error;
          attempt++;
          this.metrics.retries++;
          const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt, 8));
          this.log(`${this.manifest.name}: ${key} offsets ${chunk[0]!.offset}..${last}: ${describeError(error)}; retrying in ${delay} ms (attempt ${attempt})`);
          await sleep(delay);
          if (!isRunning() || isStale() || this.stopping) return;
          await heartbeat().catch(() => undefined);
        }
      }
      resolveOffset(last);
      const high = BigInt(batch.highWatermark);
      this.metrics.lag.set(key, Number(high - BigInt(last) - 1n));
      await heartbeat();
    }
  }

  private deadLetter(work: PendingWork, topic: string, partition: number, message: { key: Buffer | null; value: Buffer | null; offset: string; timestamp: string; headers?: Record<string, unknown> }, reasonCode: string, text: string, now: number): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
    const timestamp = Number(message.timestamp);
    const value: DeadLetter = {
      sourceTopic: topic,
      partition,
      offset: Number(message.offset),
      sourceTimestamp: Number.isFinite(timestamp) && timestamp >= 0 ? timestamp : null,
      key: message.key,
      value: message.value ?? Buffer.alloc(0),
      headers,
      reasonCode,
      message: text.slice(0, 2000),
      processor: this.groupId,
      at: now,
    };
    const { id, type } = this.outputIds.get('deadletter.v1')!;
    this.push(work, this.deadletterTopic, { key: topic, value: this.codec.encodeWith(id, type, value) });
    work.deadLetters++;
  }

  private push(work: PendingWork, topic: string, message: Message): void {
    const list = work.messages.get(topic);
    if (list) list.push(message);
    else work.messages.set(topic, [message]);
  }

  /** Pure part of a unit of work: every record becomes outputs or a dead letter. */
  private async prepare(topic: string, partition: number, chunk: EachBatchPayload['batch']['messages']): Promise<PendingWork> {
    const work: PendingWork = { messages: new Map(), scylla: [], clickhouse: [], deadLetters: 0, produced: 0, stateChanges: 0 };
    const partitionStore = this.state?.store(partition);
    const store = partitionStore ?? noState<State>();
    const unknownIds = new Set<number>();
    for (const m of chunk) {
      let id: number;
      try {
        id = SchemaCodec.schemaIdOf(m.value);
      } catch {
        continue;
      }
      if (this.codec.isCached(id) || unknownIds.has(id)) continue;
      try {
        await this.codec.typeOf(id);
      } catch (error) {
        if (isVaneError(error) && error.code === 'VANE_ERR_UNKNOWN_SCHEMA') unknownIds.add(id);
        else throw error;
      }
    }
    const now = (this.runtime.clock ?? Date.now)();
    const log = this.logger();
    for (const m of chunk) {
      let event: unknown;
      try {
        const id = SchemaCodec.schemaIdOf(m.value);
        if (unknownIds.has(id)) throw new VaneError('VANE_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`);
        event = this.codec.decodeCached(m.value!, this.reader).value;
      } catch (error) {
        const code = isVaneError(error) ? error.code : 'VANE_ERR_DECODE';
        this.deadLetter(work, topic, partition, m, code, describeError(error), now);
        continue;
      }
      const reason = this.manifest.validate?.(event as never) ?? null;
      if (reason !== null) {
        this.deadLetter(work, topic, partition, m, 'VANE_ERR_VALIDATION', reason, now);
        continue;
      }
      const record: SourceRecord = {
        topic,
        partition,
        offset: m.offset,
        key: m.key ? m.key.toString() : null,
        timestamp: Number(m.timestamp),
      };
      let outputs: Output[];
      try {
        const result = this.manifest.process(event as never, { now, options: this.options, record, log, state: store });
        outputs = result === undefined ? [] : Array.isArray(result) ? result : [result];
      } catch (error) {
        if (error instanceof InvalidRecord) this.deadLetter(work, topic, partition, m, error.reasonCode, error.message, now);
        else this.deadLetter(work, topic, partition, m, 'VANE_ERR_PROCESS', describeError(error), now);
        continue;
      }
      const undeclared = outputs.find((o) => !this.declared.has(`${o.kind}:${o.kind === 'produce' ? o.topic : o.table}`));
      if (undeclared) {
        const target = undeclared.kind === 'produce' ? undeclared.topic : undeclared.table;
        this.deadLetter(work, topic, partition, m, 'VANE_ERR_UNDECLARED_OUTPUT', `${this.manifest.name} emitted ${undeclared.kind} to ${target}, which its manifest does not declare`, now);
        continue;
      }
      const encoded: { topic: string; message: Message }[] = [];
      try {
        for (const o of outputs) {
          if (o.kind !== 'produce') continue;
          const { id, type } = this.outputIds.get(o.topic)!;
          encoded.push({ topic: this.topic(o.topic), message: { key: o.key, value: this.codec.encodeWith(id, type, o.value) } });
        }
      } catch (error) {
        this.deadLetter(work, topic, partition, m, 'VANE_ERR_VALIDATION', `output does not match its schema: ${describeError(error)}`, now);
        continue;
      }
      for (const e of encoded) this.push(work, e.topic, e.message);
      work.produced += encoded.length;
      for (const o of outputs) {
        if (o.kind === 'scylla') work.scylla.push({ table: o.table, row: o.row, writeTime: o.writeTime === undefined ? writeTimeOf(record.timestamp, m.offset) : cqlTypes.Long.fromNumber(o.writeTime) });
        else if (o.kind === 'clickhouse') work.clickhouse.push({ table: o.table, row: o.row });
      }
    }
    if (this.manifest.endOfUnit) {
      const lastMessage = chunk[chunk.length - 1]!;
      const timestamp = Number(lastMessage.timestamp);
      const ctx = { now, options: this.options, log, partition, state: store, changed: partitionStore ? partitionStore.changed() : new Set<string>(), timestamp };
      this.unitOutputs(work, this.manifest.endOfUnit(ctx), writeTimeOf(timestamp, lastMessage.offset));
    }
    if (this.state) work.stateChanges = this.state.drain(partition, (t, message) => this.push(work, t, message));
    return work;
  }

  /** Outputs of a unit hook: no record to dead-letter, so an undeclared or invalid output is a processor bug. */
  private unitOutputs(work: PendingWork, result: Output[] | Output | void, writeTime: cqlTypes.Long): void {
    const outputs = result === undefined ? [] : Array.isArray(result) ? result : [result];
    for (const o of outputs) {
      const target = o.kind === 'produce' ? o.topic : o.table;
      if (!this.declared.has(`${o.kind}:${target}`)) {
        throw new VaneError('VANE_ERR_UNDECLARED_OUTPUT', `${this.manifest.name} emitted ${o.kind} to ${target}, which its manifest does not declare`);
      }
      if (o.kind === 'produce') {
        const { id, type } = this.outputIds.get(o.topic)!;
        this.push(work, this.topic(o.topic), { key: o.key, value: this.codec.encodeWith(id, type, o.value) });
        work.produced++;
      } else if (o.kind === 'scylla') {
        work.scylla.push({ table: o.table, row: o.row, writeTime: o.writeTime === undefined ? writeTime : cqlTypes.Long.fromNumber(o.writeTime) });
      } else {
        work.clickhouse.push({ table: o.table, row: o.row });
      }
    }
  }

  /** Runs the manifest's punctuation now for every loaded partition (e.g. to publish what is pending before a replay ends). */
  async punctuate(): Promise<void> {
    while (this.punctuating) await sleep(20);
    await this.punctuateAll();
  }

  /** One punctuation of every loaded partition, each its own transaction (no input offsets). */
  private async punctuateAll(): Promise<void> {
    const { state, manifest } = this;
    if (!state || !manifest.punctuate || this.stopping || this.punctuating) return;
    this.punctuating = true;
    try {
      for (const partition of state.loaded()) {
        await this.exclusive(partition, async () => {
          if (this.stopping || !state.loaded().includes(partition)) return;
          try {
            const work: PendingWork = { messages: new Map(), scylla: [], clickhouse: [], deadLetters: 0, produced: 0, stateChanges: 0 };
            const now = (this.runtime.clock ?? Date.now)();
            const store = state.store(partition);
            const ctx: UnitContext<Options, State> = { now, options: this.options, log: this.logger(), partition, state: store, changed: new Set(), timestamp: now };
            this.unitOutputs(work, manifest.punctuate!.run(ctx), cqlTypes.Long.fromNumber(now * 1000));
            work.stateChanges = state.drain(partition, (t, message) => this.push(work, t, message));
            await this.flush(work, partition, null);
            this.metrics.produced += work.produced;
            this.metrics.scyllaRows += work.scylla.length;
            this.metrics.clickhouseRows += work.clickhouse.length;
          } catch (error) {
            state.invalidate(partition);
            this.log(`${manifest.name}: punctuation of partition ${partition} failed: ${describeError(error)}; its state will be restored`);
          }
        });
      }
    } finally {
      this.punctuating = false;
    }
  }

  /** Carries a unit out; `nextOffset` null (punctuations) commits no input offset. */
  private async flush(work: PendingWork, partition: number, nextOffset: string | null): Promise<void> {
    if (this.scylla) await this.scylla.write(work.scylla);
    if (this.clickhouse) await this.clickhouse.write(work.clickhouse);
    if (work.messages.size === 0) {
      if (nextOffset === null) return;
      // Nothing to publish: a plain offset commit is as exact as a
      // transaction here, and one round trip instead of three.
      try {
        await this.consumer!.commitOffsets([{ topic: this.inputTopic, partition, offset: nextOffset }]);
      } catch (error) {
        throw new VaneError('VANE_ERR_KAFKA', `committing offsets failed: ${(error as Error).message}`, { retriable: true, cause: error });
      }
      return;
    }
    const producer = await this.producerFor(partition);
    const txn = await producer.transaction();
    try {
      const topicMessages = [...work.messages].map(([topic, messages]) => ({ topic, messages }));
      if (topicMessages.length > 0) await txn.sendBatch({ topicMessages, acks: -1 });
      if (nextOffset !== null) {
        await txn.sendOffsets({
          consumerGroupId: this.groupId,
          topics: [{ topic: this.inputTopic, partitions: [{ partition, offset: nextOffset }] }],
        });
      }
      await txn.commit();
    } catch (error) {
      await txn.abort().catch(() => undefined);
      // A fenced producer cannot be reused: drop it so the retry makes a new one.
      this.producers.delete(partition);
      await producer.disconnect().catch(() => undefined);
      throw new VaneError('VANE_ERR_KAFKA', `committing the unit of work failed: ${(error as Error).message}`, { retriable: true, cause: error });
    }
  }

  /** Stops consuming after the unit of work in progress, then closes every client. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.punctuation) clearInterval(this.punctuation);
    await this.consumer?.disconnect().catch(() => undefined);
    await Promise.all(this.tails.values());
    await Promise.all([...this.producers.values()].map((p) => p.disconnect().catch(() => undefined)));
    this.producers.clear();
    await this.cql?.shutdown().catch(() => undefined);
    await this.ch?.close().catch(() => undefined);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
