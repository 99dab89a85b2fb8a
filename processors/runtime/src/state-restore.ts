import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { VaneError } from '@vane/core';

export interface ChangelogReadOptions {
  kafka: Kafka;
  /** Physical changelog topic. */
  topic: string;
  partitions: readonly number[];
  /** Prefix of the throwaway consumer group the read uses (kafkajs has no group-less assign). */
  groupPrefix: string;
  onRecord(partition: number, key: string, value: Buffer | null): void;
  /** Keeps the caller's own group membership alive during a long read. */
  heartbeat?: () => Promise<void>;
  timeoutMs?: number;
}

/**
 * Reads partitions of a changelog topic from their start to their current
 * end (read_committed: records of aborted transactions are skipped, records
 * of an open transaction are waited for) and hands every record to
 * `onRecord` in offset order. Returns the number of records read.
 *
 * The end is the high watermark at the time of the call; the caller must
 * have fenced every other writer of these partitions first (the runtime
 * connects the partition's transactional producer before restoring).
 */
export async function readChangelog(options: ChangelogReadOptions): Promise<number> {
  const { kafka, topic, timeoutMs = 300_000 } = options;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map();
    for (const o of offsets) {
      if (!options.partitions.includes(o.partition)) continue;
      if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
    }
  } catch (error) {
    throw new VaneError('VANE_ERR_KAFKA', `reading the end offsets of ${topic} failed: ${(error as Error).message}`, { retriable: true, cause: error });
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return 0;

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix}.restore.${randomBytes(4).toString('hex')}`,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: 200,
    sessionTimeout: 30_000,
  });
  const position = new Map<number, bigint>();
  let records = 0;
  let finish: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const check = (): void => {
    for (const [p, end] of ends) if ((position.get(p) ?? -1n) < end) return;
    finish();
  };
  // Fired for every fetched batch, including batches of only control
  // records (transaction markers), which never reach eachBatch.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic !== topic || !ends.has(payload.partition)) return;
    const next = BigInt(payload.lastOffset) + 1n;
    if (next > (position.get(payload.partition) ?? -1n)) position.set(payload.partition, next);
    check();
  });
  const beat = options.heartbeat ? setInterval(() => void options.heartbeat!().catch(() => undefined), 1000) : undefined;
  const timer = setTimeout(() => fail(new VaneError('VANE_ERR_STATE', `restoring ${topic} partitions ${[...ends.keys()].join(',')} took more than ${timeoutMs} ms`, { retriable: true })), timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (!ends.has(batch.partition)) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        const end = ends.get(batch.partition)!;
        try {
          for (const m of batch.messages) {
            if (BigInt(m.offset) >= end) break;
            options.onRecord(batch.partition, m.key ? m.key.toString() : '', m.value);
            records++;
          }
        } catch (error) {
          fail(error as Error);
        }
      },
    });
    check();
    await done;
    return records;
  } catch (error) {
    if (error instanceof VaneError) throw error;
    throw new VaneError('VANE_ERR_STATE', `restoring ${topic} failed: ${(error as Error).message}`, { retriable: true, cause: error });
  } finally {
    clearTimeout(timer);
    if (beat) clearInterval(beat);
    await consumer.disconnect().catch(() => undefined);
  }
}
