import type { ClickHouseClient } from '@clickhouse/client';
import type { Client as CqlClient } from 'cassandra-driver';
import type { TopicName } from '@vane/schemas';
import type { TableMigration } from './manifest';
import type { RuntimeMetrics } from './metrics';
import type { RuntimeOptions } from './runtime';
import type { TableDigest } from './table-digest';
import type { VersionNaming, VersionedTopics } from './versioning';

/** Where verify digests read (the connections' keyspace and database). */
export interface ReplayStores {
  cql: CqlClient;
  ch: ClickHouseClient;
  keyspace: string;
  database: string;
}

/** One table `vane replay verify` compares between two versions. */
export interface TableCheck {
  /** Logical table name (the version's physical one is passed to digest). */
  table: string;
  digest(stores: ReplayStores, physicalTable: string): Promise<TableDigest>;
}

/** What replay watches of a running processor: its consumer group and counters. */
export interface ReplayRuntime {
  readonly groupId: string;
  readonly metrics: RuntimeMetrics;
}

/** Every processor of one version of a model, in one process. */
export interface ReplayPipeline {
  /** One runtime per declared processor. */
  runtimes(): readonly ReplayRuntime[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Called once the input is consumed: emits what otherwise waits for the clock (e.g. scores awaiting punctuation). */
  flush?(): Promise<void>;
}

/**
 * What a replayable processor package exports so that `vane replay` needs
 * nothing else (README "Replay"). A rebuild of version vX:
 * - creates the `topics.versioned` topics of vX, sets the vX group of every
 *   processor whose input is not versioned to the start offsets of that
 *   input, runs `pipeline(…, vX)` until it has caught up with the input as of
 *   the start (and every versioned topic in between is consumed), `flush`es,
 *   waits again, and stops;
 * - `verify` compares the `verify` digests of two versions;
 * - `promote` republishes the latest record per key of each `topics.served`
 *   topic (compacted topics) from vX's topic to the plain one, records vX in
 *   `model_serving`, and points a view `<table>_serving` at vX's table for
 *   every ClickHouse table;
 * - `drop` deletes vX's topics, groups and tables.
 */
export interface ReplaySpec {
  /** `vane replay <model>`; also the key of `model_serving` and the `vane run` component. */
  model: string;
  /** One line for help texts: what a version of this model holds. */
  description: string;
  /** Every processor of the model (consumer group `vane.<name>[.<label>]`) and its logical input. */
  processors: readonly { name: string; input: TopicName }[];
  topics: VersionedTopics;
  scyllaTables: readonly TableMigration[];
  clickhouseTables: readonly TableMigration[];
  verify: readonly TableCheck[];
  /** Raw processor options from the environment (the processor's own env reader), for a rebuild. */
  optionsFromEnv?(env: Record<string, string | undefined>): Record<string, unknown>;
  /** The pipeline of one version; `base` carries connections, naming, options and log. */
  pipeline(base: RuntimeOptions, version: VersionNaming): ReplayPipeline;
}
