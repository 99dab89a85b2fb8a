import type { Producer } from 'kafkajs';
import { VaneError } from '@vane/core';
import type { ConfigChange, SchemaCodec } from '@vane/schemas';
import type { TopicNaming } from '@vane/topics';
import { ConfigState, writeConfigChanges, writeConfigTombstones, type ConfigView } from '@vane/config-model';

/**
 * The config service's store: reads from the view of config.changes.v1,
 * writes changes to that topic and returns once its own view has applied
 * them (read-your-writes). Writes of one service instance are serialised; a
 * change that lost a race with another instance (same entity, same version,
 * another payload) fails with VANE_ERR_CONFLICT (retriable).
 */
export interface ConfigStore {
  readonly state: ConfigState;
  readonly ready: boolean;
  /** Runs `fn` with exclusive write access (read state, decide, write) and returns its result. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  write(changes: readonly ConfigChange[], tombstones?: readonly string[]): Promise<void>;
}

class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function checkApplied(state: ConfigState, changes: readonly ConfigChange[]): 'applied' | 'pending' | ConfigChange {
  for (const change of changes) {
    const held = state.entity(change.entityId);
    if (!held || held.version < change.version) return 'pending';
    if (held.version === change.version && (held.checksum ?? null) !== change.checksum) return change;
  }
  return 'applied';
}

/** Waits until `state` holds every change (or a rival of one), or fails after `timeoutMs`. */
function waitApplied(state: ConfigState, changes: readonly ConfigChange[], timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let unsubscribe = (): void => undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new VaneError('VANE_ERR_NOT_READY', `the change was written but the service did not read it back within ${timeoutMs} ms`, { retriable: true }));
    }, timeoutMs);
    const check = (): boolean => {
      const status = checkApplied(state, changes);
      if (status === 'pending') return false;
      clearTimeout(timer);
      unsubscribe();
      if (status === 'applied') resolve();
      else reject(new VaneError('VANE_ERR_CONFLICT', `${status.entityId} was changed by someone else at the same time; read it again and retry`, { retriable: true }));
      return true;
    };
    if (!check()) unsubscribe = state.onChange(() => void check());
  });
}

export interface KafkaConfigStoreOptions {
  view: ConfigView;
  producer: Producer;
  codec: SchemaCodec;
  naming: TopicNaming;
  /** How long a write may take to come back through the topic, default 15000 ms. */
  readBackTimeoutMs?: number;
}

export class KafkaConfigStore implements ConfigStore {
  private readonly mutex = new Mutex();

  constructor(private readonly options: KafkaConfigStoreOptions) {}

  get state(): ConfigState {
    return this.options.view.state;
  }

  get ready(): boolean {
    return this.options.view.ready;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  async write(changes: readonly ConfigChange[], tombstones: readonly string[] = []): Promise<void> {
    const { producer, codec, naming } = this.options;
    try {
      await writeConfigChanges(producer, codec, naming, changes);
      await writeConfigTombstones(producer, naming, tombstones);
    } catch (error) {
      if (error instanceof VaneError) throw error;
      throw new VaneError('VANE_ERR_KAFKA', `writing to config.changes.v1 failed: ${(error as Error).message}`, { retriable: true, cause: error });
    }
    await waitApplied(this.state, changes, this.options.readBackTimeoutMs ?? 15_000);
  }
}

/** A store that applies changes to an in-memory state at once (unit tests, offline tools). */
export class MemoryConfigStore implements ConfigStore {
  readonly state = new ConfigState();
  readonly ready = true;
  readonly written: ConfigChange[] = [];
  private readonly mutex = new Mutex();

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  async write(changes: readonly ConfigChange[], tombstones: readonly string[] = []): Promise<void> {
    for (const change of changes) {
      this.written.push(change);
      this.state.apply(change);
    }
    for (const id of tombstones) this.state.tombstone(id);
    await waitApplied(this.state, changes, 1000);
  }
}
