import { createHash } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { ConfigChange, SchemaCodec } from '@vane/schemas';
import { physicalTopic, valueSubjectOf, type TopicNaming } from '@vane/topics';

/**
 * Writing config.changes.v1 (record contract: config-state.ts). The config
 * service (gateways/config) is the one writer of the platform's
 * configuration: everything else, the CLI included, goes through its API.
 * These functions are its Kafka side, and what tests and benchmarks use to
 * seed a topic of their own.
 */

export interface ChangeInput {
  entityId: string;
  entityType: string;
  tenantId: string;
  version: number;
  op: 'upsert' | 'delete';
  actor: string;
  payload: object | null;
  at?: number;
}

/** A ConfigChange record for `input`, with the payload serialised and its checksum. */
export function configChange(input: ChangeInput): ConfigChange {
  const payload = input.op === 'delete' || input.payload === null ? null : JSON.stringify(input.payload);
  return {
    entityId: input.entityId,
    entityType: input.entityType,
    tenantId: input.tenantId,
    version: input.version,
    op: input.op,
    at: input.at ?? Date.now(),
    actor: input.actor,
    payload,
    checksum: payload === null ? null : createHash('sha256').update(payload, 'utf8').digest('hex'),
  };
}

/** Writes changes to config.changes.v1 (keyed by entityId, acks=all), in order. */
export async function writeConfigChanges(
  producer: Producer,
  codec: SchemaCodec,
  naming: TopicNaming,
  changes: readonly ConfigChange[],
): Promise<void> {
  const subject = valueSubjectOf('config.changes.v1', naming);
  const messages = [];
  for (const change of changes) messages.push({ key: change.entityId, value: await codec.encode(subject, change) });
  await producer.send({ topic: physicalTopic('config.changes.v1', naming), acks: -1, messages });
}

/** Kafka tombstones (null values) for entities to forget entirely (compaction then removes them). */
export async function writeConfigTombstones(producer: Producer, naming: TopicNaming, entityIds: readonly string[]): Promise<void> {
  if (entityIds.length === 0) return;
  await producer.send({ topic: physicalTopic('config.changes.v1', naming), acks: -1, messages: entityIds.map((key) => ({ key, value: null })) });
}
