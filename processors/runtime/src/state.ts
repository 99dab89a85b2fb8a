import { VaneError } from '@vane/core';
import type { TopicName, TopicValue } from '@vane/schemas';

/**
 * Per-partition keyed state of a processor (Kafka Streams' state store,
 * without local disk). Contract:
 * - A processor that declares `state` gets, in `process` and its unit hooks,
 *   the store of the partition being processed. Keys are strings; values are
 *   whatever the declaration's `fromRecord` builds.
 * - `put` and `delete` record the key as changed. At the end of each unit of
 *   work the runtime writes every changed key's value (`toRecord`, Avro with
 *   the changelog's registered schema) or a tombstone to partition p of the
 *   compacted changelog topic, IN THE SAME Kafka transaction as the unit's
 *   outputs and input offsets: the changelog never runs ahead of or behind
 *   the committed offsets, so a crash never double-counts.
 * - Before a partition is processed (first batch after an assignment, or
 *   after a failed unit of work), its store is rebuilt from the changelog
 *   (read_committed, to its end), after the partition's transactional
 *   producer has fenced any previous owner.
 * - Values may be mutated in place, but only followed by `put` of the same
 *   key, and `process` must not throw after it changed state (validate first):
 *   a record that throws is dead-lettered and its partial changes would stay.
 */
export interface KeyValueStore<V> {
  get(key: string): V | undefined;
  /** Sets (or marks as changed after an in-place update) the value of a key. */
  put(key: string, value: V): void;
  delete(key: string): void;
  has(key: string): boolean;
  /** Every key and value of the partition (for punctuations; O(keys)). */
  entries(): IterableIterator<[string, V]>;
  readonly size: number;
}

/**
 * A processor's state declaration: the compacted changelog topic (from the
 * catalogue; at least as many partitions as the input topic) and the mapping
 * between in-memory values and the changelog's Avro records.
 */
export interface StateDeclaration<V, T extends TopicName = TopicName> {
  changelog: T;
  toRecord(value: V): TopicValue[T];
  fromRecord(record: TopicValue[T]): V;
}

/** Types a state declaration against its changelog topic (the manifest stores it erased). */
export function defineState<V, T extends TopicName>(declaration: StateDeclaration<V, T>): StateDeclaration<V> {
  return declaration as unknown as StateDeclaration<V>;
}

/** The in-memory store of one partition, with the keys changed since the last drain. */
export class PartitionStore<V> implements KeyValueStore<V> {
  private readonly data = new Map<string, V>();
  private changes = new Set<string>();

  get(key: string): V | undefined {
    return this.data.get(key);
  }

  put(key: string, value: V): void {
    this.data.set(key, value);
    this.changes.add(key);
  }

  delete(key: string): void {
    this.data.delete(key);
    this.changes.add(key);
  }

  has(key: string): boolean {
    return this.data.has(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.data.entries();
  }

  get size(): number {
    return this.data.size;
  }

  /** Keys changed since the last drain (a copy). */
  changed(): ReadonlySet<string> {
    return new Set(this.changes);
  }

  /** Loads a restored value without marking it changed. */
  restore(key: string, value: V | undefined): void {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, value);
  }

  /** Returns and forgets the changed keys with their current values (undefined = deleted). */
  drain(): [string, V | undefined][] {
    const out: [string, V | undefined][] = [];
    for (const key of this.changes) out.push([key, this.data.get(key)]);
    this.changes = new Set();
    return out;
  }
}

const refuse = (): never => {
  throw new VaneError('VANE_ERR_STATE', 'this processor declares no state: add `state` to its manifest');
};

const emptyStore: KeyValueStore<never> = {
  get: () => undefined,
  put: refuse,
  delete: refuse,
  has: () => false,
  entries: () => new Map<string, never>().entries(),
  size: 0,
};

/** The store handed to processors without a state declaration: empty, refuses writes. */
export function noState<V>(): KeyValueStore<V> {
  return emptyStore as KeyValueStore<V>;
}
