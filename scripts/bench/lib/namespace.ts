import { randomBytes } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { connectionsFromEnv, type Connections } from '@vane/core';
import { SchemaCodec, schemaFiles, type TopicName } from '@vane/schemas';
import { applyTopics, createKafka, valueSubjectOf, type TopicNaming } from '@vane/topics';

/** A benchmark's own topics and subjects under a random prefix, removed again by `cleanup`. */
export interface BenchNamespace {
  connections: Connections;
  naming: TopicNaming;
  admin: Admin;
  codec: SchemaCodec;
  cleanup(): Promise<void>;
}

export async function benchNamespace(topics: readonly TopicName[]): Promise<BenchNamespace> {
  const connections = connectionsFromEnv(process.env);
  const naming = { prefix: `bench${randomBytes(3).toString('hex')}.` };
  const admin = createKafka(connections, 'bench').admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`Kafka is not reachable (${(error as Error).message}): start the local stack with \`npx vane infra up\``);
  }
  await applyTopics(admin, { naming, only: topics });
  const codec = new SchemaCodec(connections.registryUrl);
  for (const topic of topics) await codec.register(valueSubjectOf(topic, naming), schemaFiles[topic]);
  return {
    connections,
    naming,
    admin,
    codec,
    async cleanup() {
      await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(naming.prefix)) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
