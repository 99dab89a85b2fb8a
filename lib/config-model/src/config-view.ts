import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { ConfigChange, SchemaCodec } from '@vane/schemas';
import { physicalTopic, type TopicNaming } from '@vane/topics';
import { ConfigState } from './config-state';

export interface ConfigViewOptions {
  kafka: Kafka;
  codec: SchemaCodec;
  naming: TopicNaming;
  /** Prefix of the view's private consumer group id (a random suffix is added: every view reads everything). */
  groupPrefix?: string;
  /** Called for records that cannot be decoded (they are skipped). */
  onError?: (error: unknown) => void;
}

/**
 * The offsets of `topic`, retried while the broker answers a retriable error
 * (a topic created a moment ago may not have its leader in place yet).
 */
async function endOffsets(admin: Admin, topic: string, deadline: number): Promise<Awaited<ReturnType<Admin['fetchTopicOffsets']>>> {
  for (;;) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() >= deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Follows config.changes.v1 from the beginning into a ConfigState and keeps
 * following it. `start()` resolves once the view has read up to the end of the
 * topic as it was when start() was called, so a gateway never answers from a
 * partial configuration. Nothing is committed: every start re-reads the
 * compacted topic.
 */
export class ConfigView {
  readonly state = new ConfigState();
  private consumer: Consumer | undefined;
  private readonly positions = new Map<number, bigint>();
  private caughtUp = false;
  private caughtUpWaiters: (() => void)[] = [];
  private targets = new Map<number, bigint>();
  private stopped = false;

  constructor(private readonly options: ConfigViewOptions) {}

  get ready(): boolean {
    return this.caughtUp;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const { kafka, naming } = this.options;
    const topic = physicalTopic('config.changes.v1', naming);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await endOffsets(admin, topic, Date.now() + timeoutMs);
      for (const o of offsets) {
        const high = BigInt(o.high);
        const low = BigInt(o.low);
        if (high > low) this.targets.set(o.partition, high);
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({
      groupId: `${this.options.groupPrefix ?? 'vane-config-view'}-${randomBytes(6).toString('hex')}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // Keep following through broker outages (kafkajs would give up on some errors), until stop().
      retry: { retries: 10, restartOnFailure: async () => !this.stopped },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    this.checkCaughtUp();
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const entityId = message.key?.toString('utf8') ?? '';
          if (message.value === null) {
            if (entityId) this.state.tombstone(entityId);
          } else {
            try {
              const { value } = await this.options.codec.decode<ConfigChange>(message.value);
              this.state.apply(value);
            } catch (error) {
              this.options.onError?.(error);
            }
          }
          this.positions.set(batch.partition, BigInt(message.offset) + 1n);
        }
        // A compacted partition may end in removed offsets: the high watermark is the target.
        this.positions.set(batch.partition, BigInt(batch.highWatermark));
        this.checkCaughtUp();
      },
    });
    if (!this.caughtUp) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`config view did not catch up with ${topic} within ${timeoutMs} ms`)), timeoutMs);
        this.caughtUpWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private checkCaughtUp(): void {
    if (this.caughtUp) return;
    for (const [partition, target] of this.targets) {
      if ((this.positions.get(partition) ?? 0n) < target) return;
    }
    this.caughtUp = true;
    for (const waiter of this.caughtUpWaiters.splice(0)) waiter();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}
