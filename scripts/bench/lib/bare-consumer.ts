import type { Connections } from '@vane/core';
import { createKafka } from '@vane/topics';

export interface BareResult {
  count: number;
  seconds: number;
  rate: number;
}

/**
 * The baseline every consumer benchmark compares with: a bare kafkajs
 * consumer with eachBatch and auto-commit, no decoding. Resolves once
 * `expected` records arrived, timed from the first batch to the last.
 */
export async function runBareConsumer(connections: Pick<Connections, 'kafkaBrokers' | 'kafkaClientId'>, topic: string, groupId: string, expected: number): Promise<BareResult> {
  const consumer = createKafka(connections, 'bench-bare').consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024, maxBytes: 16 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  let firstAt = 0;
  const result = await new Promise<BareResult>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
          if (firstAt === 0) firstAt = Date.now();
          count += batch.messages.length;
          resolveOffset(batch.lastOffset());
          await commitOffsetsIfNecessary();
          await heartbeat();
          if (count >= expected) {
            const seconds = (Date.now() - firstAt) / 1000;
            resolve({ count, seconds, rate: count / seconds });
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return result;
}
