import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { VaneError } from '@vane/core';
import type { Score, SchemaCodec } from '@vane/schemas';
import { ScoreTable } from './score-table';

export interface ScoreFeedOptions {
  kafka: Kafka;
  codec: SchemaCodec;
  /** Physical scores.v1 topic. */
  topic: string;
  /** Prefix of the feed's consumer group (one group per gateway instance; nothing is committed). */
  groupPrefix: string;
  deltaBuffer: number;
  log: (line: string) => void;
}

/**
 * Keeps a ScoreTable equal to scores.v1 (read_committed, from the
 * beginning): ready once it reached the topic's end offsets as of start.
 */
export class ScoreFeed {
  table!: ScoreTable;
  private consumer?: Consumer;
  private readyFlag = false;
  private onReady: () => void = () => undefined;
  readonly ready: Promise<void> = new Promise((resolve) => (this.onReady = resolve));

  constructor(private readonly options: ScoreFeedOptions) {}

  isReady(): boolean {
    return this.readyFlag;
  }

  async start(): Promise<void> {
    const { kafka, topic } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    let ends: Map<number, number>;
    try {
      const offsets = await admin.fetchTopicOffsets(topic).catch((error: unknown) => {
        throw new VaneError('VANE_ERR_UNKNOWN_TOPIC', `cannot read ${topic} (${(error as Error).message}); run \`vane topics apply\``);
      });
      this.table = new ScoreTable(offsets.length, this.options.deltaBuffer);
      ends = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
    } finally {
      await admin.disconnect();
    }
    const position = new Map<number, number>();
    const check = (): void => {
      if (this.readyFlag) return;
      for (const [p, end] of ends) if ((position.get(p) ?? 0) < end) return;
      this.readyFlag = true;
      this.options.log(`snapshots: score table loaded: ${this.table.size} scores at version ${this.table.version}`);
      this.onReady();
    };
    const consumer = kafka.consumer({
      groupId: `${this.options.groupPrefix}.${randomBytes(4).toString('hex')}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 8 * 1024 * 1024,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = Number(payload.lastOffset) + 1;
      if (next > (position.get(payload.partition) ?? 0)) position.set(payload.partition, next);
      check();
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          let score: Score | null = null;
          if (m.value) {
            try {
              score = (await this.options.codec.decode<Score>(m.value)).value;
            } catch (error) {
              this.options.log(`snapshots: ${topic} ${batch.partition}@${m.offset} skipped: ${(error as Error).message}`);
              continue;
            }
          }
          this.table.apply(m.key ? m.key.toString() : '', batch.partition, Number(m.offset), score);
        }
      },
    });
    check();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
