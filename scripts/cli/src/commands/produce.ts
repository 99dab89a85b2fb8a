import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import type { Message } from 'kafkajs';
import { VaneError, describeError } from '@vane/core';
import { SchemaCodec, isTopicName } from '@vane/schemas';
import { createKafka, physicalTopic, valueSubjectOf } from '@vane/topics';
import type { CliEnvironment } from '../environment';
import { toAvro } from '../json-avro';

const BATCH = 500;

function keyOf(record: unknown, field: string | undefined, constant: string | undefined): string | null {
  if (constant !== undefined) return constant;
  if (field === undefined) return null;
  let value: unknown = record;
  for (const part of field.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value === undefined || value === null ? null : String(value);
}

export function registerProduce(program: Command, environment: () => CliEnvironment): void {
  program
    .command('produce')
    .argument('<topic>', 'logical topic name, e.g. ingest.measurements.v1')
    .description('read JSON lines on stdin, encode each with the registered schema, write them (acks=all); prints how many were written')
    .option('--key <value>', 'use this key for every record')
    .option('--key-field <path>', 'take the key from this field of each record (dot path)')
    .option('--skip-invalid', 'report invalid lines on stderr and go on (default: stop at the first one)')
    .action(async (topic: string, opts: { key?: string; keyField?: string; skipInvalid?: boolean }) => {
      if (!isTopicName(topic)) throw new VaneError('VANE_ERR_UNKNOWN_TOPIC', `'${topic}' is not a topic of the catalogue (see \`vane topics list\`)`);
      const e = environment();
      const codec = new SchemaCodec(e.connections.registryUrl);
      const subject = valueSubjectOf(topic, e.naming);
      const id = await codec.latestId(subject);
      const type = await codec.typeOf(id);
      const producer = createKafka(e.connections, 'cli-produce').producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const target = physicalTopic(topic, e.naming);
      let pending: Message[] = [];
      let written = 0;
      let invalid = 0;
      const flush = async (): Promise<void> => {
        if (pending.length === 0) return;
        await producer.send({ topic: target, messages: pending, acks: -1 });
        written += pending.length;
        pending = [];
      };
      try {
        let lineNo = 0;
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
          lineNo++;
          if (line.trim() === '') continue;
          try {
            let json: unknown;
            try {
              json = JSON.parse(line);
            } catch (error) {
              throw new VaneError('VANE_ERR_BAD_INPUT', `not JSON: ${(error as Error).message}`);
            }
            const value = codec.encodeWith(id, type, toAvro(type, json));
            pending.push({ key: keyOf(json, opts.keyField, opts.key), value });
          } catch (error) {
            invalid++;
            const text = `line ${lineNo}: ${describeError(error)}`;
            if (!opts.skipInvalid) {
              await flush();
              throw new VaneError(error instanceof VaneError ? error.code : 'VANE_ERR_BAD_INPUT', `${text} (${written} record(s) before it were written)`);
            }
            process.stderr.write(`${text}\n`);
            continue;
          }
          if (pending.length >= BATCH) await flush();
        }
        await flush();
      } finally {
        await producer.disconnect();
      }
      process.stdout.write(`wrote ${written} record(s) to ${target}${invalid ? `, skipped ${invalid} invalid line(s)` : ''}\n`);
    });
}
