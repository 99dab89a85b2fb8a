import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { connectionsFromEnv, type Connections } from '@vane/core';
import { SchemaCodec, schemaFiles, topicNames } from '@vane/schemas';
import { applyTopics, createKafka, physicalTopic, valueSubjectOf, type TopicNaming } from '@vane/topics';

/**
 * An isolated slice of the shared local stack for one test file: every topic
 * and subject carries a random prefix, so files never see each other's
 * records, and `cleanup` deletes the topics again.
 */
export interface TestNamespace {
  connections: Connections;
  naming: TopicNaming;
  codec: SchemaCodec;
  /** Environment for child processes (`vane …`, processors) that targets this namespace. */
  env: Record<string, string>;
  admin: Admin;
  cleanup(): Promise<void>;
}

export function randomName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export async function createNamespace(options: { topics?: boolean; schemas?: boolean } = {}): Promise<TestNamespace> {
  const connections = connectionsFromEnv(process.env);
  const naming: TopicNaming = { prefix: `${randomName('t')}.` };
  const codec = new SchemaCodec(connections.registryUrl);
  const admin = createKafka(connections, 'test').admin();
  await admin.connect();
  if (options.topics !== false) await applyTopics(admin, { naming });
  if (options.schemas !== false) {
    for (const topic of topicNames) await codec.register(valueSubjectOf(topic, naming), schemaFiles[topic]);
  }
  return {
    connections,
    naming,
    codec,
    admin,
    env: { ...(process.env as Record<string, string>), VANE_TOPIC_PREFIX: naming.prefix },
    async cleanup() {
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(naming.prefix));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

export function topicOf(ns: TestNamespace, topic: Parameters<typeof physicalTopic>[0]): string {
  return physicalTopic(topic, ns.naming);
}

/** Polls `check` until it returns a value that is not undefined, or fails after timeoutMs naming `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export interface ReadRecord<T> {
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  raw: Buffer | null;
}

/**
 * Reads a topic from the beginning (read_committed) and returns every record
 * once no new record has arrived for `idleMs` after at least `atLeast` came.
 * Records that do not decode are returned with value undefined.
 */
export async function readAll<T>(ns: TestNamespace, topic: string, options: { atLeast?: number; idleMs?: number; timeoutMs?: number } = {}): Promise<ReadRecord<T>[]> {
  const { atLeast = 0, idleMs = 1500, timeoutMs = 90_000 } = options;
  const consumer = createKafka(ns.connections, 'test-read').consumer({ groupId: randomName('test-read-'), readUncommitted: false });
  const records: ReadRecord<T>[] = [];
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        let value: T | undefined;
        try {
          value = (await ns.codec.decode<T>(message.value)).value;
        } catch {
          value = undefined;
        }
        records.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: value as T, raw: message.value });
        last = Date.now();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (records.length >= atLeast && Date.now() - last >= idleMs) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (records.length < atLeast) throw new Error(`read ${records.length} of at least ${atLeast} records from ${topic} in ${timeoutMs} ms`);
    return records;
  } finally {
    await consumer.disconnect();
  }
}
