import type { Admin, Kafka, Message } from 'kafkajs';
import type { Type } from 'avsc';
import { VaneError, describeError } from '@vane/core';
import { SchemaCodec } from '@vane/schemas';
import { PartitionStore, type StateDeclaration } from './state';
import { readChangelog } from './state-restore';

export interface StateManagerOptions {
  kafka: Kafka;
  codec: SchemaCodec;
  /** Physical changelog topic and the registry subject of its values. */
  topic: string;
  subject: string;
  /** Physical input topic (its partition count bounds the changelog's). */
  inputTopic: string;
  groupId: string;
  log: (line: string) => void;
}

/**
 * Owns the stores of the partitions a runtime is assigned: restores them
 * from the changelog, drops them on revocation or after a failed unit of
 * work, and turns their changes into changelog records (see state.ts).
 */
export class StateManager<V> {
  private readonly stores = new Map<number, PartitionStore<V>>();
  private assigned = new Set<number>();
  private schema?: { id: number; type: Type };
  private restoring?: Promise<void>;
  restores = 0;
  restoredRecords = 0;

  constructor(
    private readonly declaration: StateDeclaration<V>,
    private readonly options: StateManagerOptions,
  ) {}

  /** Checks the changelog (exists, enough partitions) and resolves its schema. */
  async start(admin: Admin): Promise<void> {
    const { topic, inputTopic } = this.options;
    const meta = await admin.fetchTopicMetadata({ topics: [topic, inputTopic] }).catch((error: unknown) => {
      throw new VaneError('VANE_ERR_UNKNOWN_TOPIC', `changelog ${topic} or input ${inputTopic} does not exist (${(error as Error).message}); run \`vane topics apply\``);
    });
    const count = (name: string): number => meta.topics.find((t) => t.name === name)?.partitions.length ?? 0;
    if (count(topic) < count(inputTopic)) {
      throw new VaneError('VANE_ERR_STATE', `changelog ${topic} has ${count(topic)} partitions, fewer than the ${count(inputTopic)} of ${inputTopic}: partition p of the changelog must exist for every input partition p`);
    }
    const id = await this.options.codec.latestId(this.options.subject);
    this.schema = { id, type: await this.options.codec.typeOf(id) };
  }

  /** The new assignment of the runtime's consumer: stores of partitions no longer assigned are dropped. */
  onAssignment(partitions: readonly number[]): void {
    this.assigned = new Set(partitions);
    for (const p of [...this.stores.keys()]) if (!this.assigned.has(p)) this.stores.delete(p);
  }

  /** Forgets a partition's store: the next unit of work restores it from the changelog. */
  invalidate(partition: number): void {
    this.stores.delete(partition);
  }

  loaded(): number[] {
    return [...this.stores.keys()];
  }

  store(partition: number): PartitionStore<V> {
    const store = this.stores.get(partition);
    if (!store) throw new VaneError('VANE_ERR_STATE', `state of partition ${partition} is not loaded`, { retriable: true });
    return store;
  }

  /**
   * Makes sure the store of `partition` is loaded. Restores, in one read,
   * every assigned partition that is not loaded yet, after `fence` has made
   * this runtime the only writer of their changelog partitions.
   */
  async ensure(partition: number, fence: (partitions: number[]) => Promise<void>, heartbeat?: () => Promise<void>): Promise<void> {
    // One restore at a time (units of several partitions may run concurrently).
    while (!this.stores.has(partition)) {
      if (this.restoring) {
        await this.restoring.catch(() => undefined);
        continue;
      }
      this.restoring = this.restore(partition, fence, heartbeat);
      try {
        await this.restoring;
      } finally {
        this.restoring = undefined;
      }
    }
  }

  private async restore(partition: number, fence: (partitions: number[]) => Promise<void>, heartbeat?: () => Promise<void>): Promise<void> {
    const wanted = [...new Set([partition, ...this.assigned])].filter((p) => !this.stores.has(p)).sort((a, b) => a - b);
    await fence(wanted);
    const started = Date.now();
    const latest = new Map<number, Map<string, Buffer | null>>(wanted.map((p) => [p, new Map()]));
    const records = await readChangelog({
      kafka: this.options.kafka,
      topic: this.options.topic,
      partitions: wanted,
      groupPrefix: this.options.groupId,
      heartbeat,
      onRecord: (p, key, value) => latest.get(p)?.set(key, value),
    });
    const { codec } = this.options;
    for (const values of latest.values()) {
      for (const buffer of values.values()) if (buffer) await codec.typeOf(SchemaCodec.schemaIdOf(buffer));
    }
    for (const [p, values] of latest) {
      const store = new PartitionStore<V>();
      for (const [key, buffer] of values) {
        if (!buffer) continue;
        try {
          store.restore(key, this.declaration.fromRecord(codec.decodeCached(buffer).value as never));
        } catch (error) {
          throw new VaneError('VANE_ERR_STATE', `changelog ${this.options.topic} partition ${p} key ${key} cannot be restored: ${describeError(error)}`, { cause: error });
        }
      }
      this.stores.set(p, store);
    }
    this.restores++;
    this.restoredRecords += records;
    const keys = wanted.map((p) => this.stores.get(p)!.size).reduce((a, b) => a + b, 0);
    this.options.log(`state: restored partitions ${wanted.join(',')} of ${this.options.topic}: ${records} records, ${keys} keys in ${Date.now() - started} ms`);
  }

  /** Changelog records for the keys of `partition` changed since the last drain. */
  drain(partition: number, push: (topic: string, message: Message) => void): number {
    const store = this.stores.get(partition);
    if (!store) return 0;
    const { id, type } = this.schema!;
    let n = 0;
    for (const [key, value] of store.drain()) {
      let encoded: Buffer | null = null;
      if (value !== undefined) {
        try {
          encoded = this.options.codec.encodeWith(id, type, this.declaration.toRecord(value));
        } catch (error) {
          throw new VaneError('VANE_ERR_STATE', `state key ${key} does not match the changelog schema of ${this.options.topic}: ${describeError(error)}`, { cause: error });
        }
      }
      push(this.options.topic, { key, value: encoded, partition });
      n++;
    }
    return n;
  }
}
