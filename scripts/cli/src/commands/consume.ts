import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { VaneError, describeError } from '@vane/core';
import { SchemaCodec, isTopicName } from '@vane/schemas';
import { createKafka, physicalTopic } from '@vane/topics';
import type { CliEnvironment } from '../environment';
import { toJson } from '../json-avro';

function nonNegative(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new VaneError('VANE_ERR_USAGE', `expected a non-negative number, got '${raw}'`);
  return n;
}

export function registerConsume(program: Command, environment: () => CliEnvironment): void {
  program
    .command('consume')
    .argument('<topic>', 'logical topic name, e.g. ingest.measurements.v1')
    .description('print decoded records as JSON lines (read_committed; commits nothing)')
    .option('--from-beginning', 'start at the earliest offset (default: only new records)')
    .option('--max <n>', 'stop after n records', nonNegative)
    .option('--timeout <seconds>', 'stop when no record arrived for this many seconds', nonNegative)
    .option('--meta', 'print {topic, partition, offset, key, timestamp, value} instead of the bare value')
    .action(async (topic: string, opts: { fromBeginning?: boolean; max?: number; timeout?: number; meta?: boolean }) => {
      if (!isTopicName(topic)) throw new VaneError('VANE_ERR_UNKNOWN_TOPIC', `'${topic}' is not a topic of the catalogue (see \`vane topics list\`)`);
      const e = environment();
      const codec = new SchemaCodec(e.connections.registryUrl);
      const kafka = createKafka(e.connections, 'cli-consume');
      const consumer = kafka.consumer({ groupId: `vane-cli-${randomUUID()}`, readUncommitted: false });
      const target = physicalTopic(topic, e.naming);
      let count = 0;
      let lastActivity = Date.now();
      let done: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (done = resolve));
      if (opts.max === 0) done();
      // The idle clock starts once the group is joined, not while joining.
      consumer.on(consumer.events.GROUP_JOIN, () => {
        lastActivity = Date.now();
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: target, fromBeginning: opts.fromBeginning === true });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (opts.max !== undefined && count >= opts.max) return;
            lastActivity = Date.now();
            try {
              const { value, schemaId } = await codec.decode<unknown>(message.value);
              const json = toJson(await codec.typeOf(schemaId), value);
              const line = opts.meta
                ? { topic: target, partition, offset: message.offset, key: message.key?.toString() ?? null, timestamp: Number(message.timestamp), value: json }
                : json;
              process.stdout.write(`${JSON.stringify(line)}\n`);
            } catch (error) {
              process.stderr.write(`partition ${partition} offset ${message.offset}: ${describeError(error)}\n`);
            }
            count++;
            if (opts.max !== undefined && count >= opts.max) done();
          },
        });
        const timer = opts.timeout !== undefined
          ? setInterval(() => {
              if (Date.now() - lastActivity >= opts.timeout! * 1000) done();
            }, 100)
          : undefined;
        const onSignal = (): void => done();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        await finished;
        if (timer) clearInterval(timer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      } finally {
        await consumer.disconnect();
      }
      process.stderr.write(`read ${count} record(s) from ${target}\n`);
    });
}
