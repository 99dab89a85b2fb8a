import type { TopicName, TopicValue } from '@vane/schemas';
import type { KeyValueStore, StateDeclaration } from './state';

/**
 * A processor is a pure function plus a manifest: its input, the effects it
 * may emit, its options, and `process(event, ctx)` with no I/O and no clock
 * of its own (README "Processors and the runtime"). The runtime decodes each input record, calls `process(event, ctx)`, checks every
 * output against the declared effects, carries the outputs out in batches and
 * commits the input offsets only once they are durable.
 */

export type OutputDeclaration =
  | { kind: 'produce'; topic: TopicName }
  | { kind: 'scylla'; table: string }
  | { kind: 'clickhouse'; table: string };

/** Publish a record (Avro-encoded with the topic's registered schema). */
export interface ProduceOutput<T extends TopicName = TopicName> {
  kind: 'produce';
  topic: T;
  key: string | null;
  value: TopicValue[T];
}

/**
 * Upsert one row into a Scylla table. The runtime writes it `USING TIMESTAMP`
 * derived from the input record (see sinks/scylla.ts), so replaying the same
 * offsets leaves the same result.
 */
export interface ScyllaOutput {
  kind: 'scylla';
  table: string;
  row: Record<string, unknown>;
  /**
   * Write timestamp (microseconds) instead of the one derived from the input
   * record: for outputs of unit hooks and punctuations, whose order is not
   * the input's. Must grow with every new value of the same row.
   */
  writeTime?: number;
}

/** Insert one row into a ClickHouse table (tables deduplicate on their sorting key). */
export interface ClickhouseOutput {
  kind: 'clickhouse';
  table: string;
  row: Record<string, unknown>;
}

export type Output = ProduceOutput | ScyllaOutput | ClickhouseOutput;

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Kafka record timestamp, epoch ms. */
  timestamp: number;
}

export interface ProcessLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface ProcessContext<Options, State = never> {
  /** Wall clock of the batch, epoch ms (the only clock a processor may read). */
  now: number;
  options: Options;
  record: SourceRecord;
  log: ProcessLogger;
  /** State of the record's partition (processors that declare `state`; see state.ts). */
  state: KeyValueStore<State>;
}

/** Context of `endOfUnit` and `punctuate`: one partition, no record. */
export interface UnitContext<Options, State = never> {
  now: number;
  options: Options;
  log: ProcessLogger;
  partition: number;
  state: KeyValueStore<State>;
  /** Keys changed by `process` in this unit of work (empty for punctuations). */
  changed: ReadonlySet<string>;
  /** Kafka timestamp (ms) of the unit's last record; `now` for punctuations. */
  timestamp: number;
}

/** Thrown by `process` or `validate` for a record that is wrong in itself: it goes to the dead-letter topic. */
export class InvalidRecord extends Error {
  constructor(
    message: string,
    readonly reasonCode: string = 'VANE_ERR_VALIDATION',
  ) {
    super(message);
    this.name = 'InvalidRecord';
  }
}

export interface TableMigration {
  /** Logical table name as used in outputs. */
  table: string;
  /** DDL with `{table}` (physical table name) and, for Scylla, `{keyspace}` placeholders; must be idempotent (IF NOT EXISTS). */
  ddl: string[];
}

export interface ProcessorManifest<In extends TopicName, Options, State = never> {
  /** Kebab-case name; the consumer group is `vane.<name>`. */
  name: string;
  description: string;
  input: In;
  outputs: readonly OutputDeclaration[];
  /** Validated options with defaults; receives the raw object the entry file built from env. */
  options: (raw: Record<string, unknown>) => Options;
  /** Tables this processor writes, created at start if missing. */
  scyllaTables?: readonly TableMigration[];
  clickhouseTables?: readonly TableMigration[];
  /** Semantic validation beyond the Avro schema: return a reason to dead-letter, or null. */
  validate?: (event: TopicValue[In]) => string | null;
  process(event: TopicValue[In], ctx: ProcessContext<Options, State>): Output[] | Output | void;
  /** Per-partition keyed state, restored from its changelog (see state.ts). */
  state?: StateDeclaration<State>;
  /**
   * Called once after the last record of every unit of work, with the keys
   * `process` changed: outputs computed from the state (e.g. one aggregate
   * per changed key instead of one per record). Same transaction as the unit.
   */
  endOfUnit?(ctx: UnitContext<Options, State>): Output[] | Output | void;
  /**
   * Wall-clock punctuation (stateful processors): `run` is called every
   * `everyMs` for each partition whose state is loaded, between units of
   * work; its outputs and state changes are committed in one transaction.
   */
  punctuate?: {
    everyMs(options: Options): number;
    run(ctx: UnitContext<Options, State>): Output[] | Output | void;
  };
}

export function defineProcessor<In extends TopicName, Options, State = never>(manifest: ProcessorManifest<In, Options, State>): ProcessorManifest<In, Options, State> {
  return manifest;
}
