import type { Command } from 'commander';
import { SchemaCodec, schemaFiles, topicNames } from '@vane/schemas';
import { valueSubjectOf } from '@vane/topics';
import type { CliEnvironment } from '../environment';

export function registerSchemas(program: Command, environment: () => CliEnvironment): void {
  const schemas = program.command('schemas').description('Avro schemas in the schema registry');

  schemas
    .command('register')
    .description('register every topic value schema under <topic>-value with BACKWARD compatibility (refuses incompatible changes)')
    .action(async () => {
      const e = environment();
      const codec = new SchemaCodec(e.connections.registryUrl);
      for (const topic of topicNames) {
        const subject = valueSubjectOf(topic, e.naming);
        const id = await codec.register(subject, schemaFiles[topic]);
        process.stdout.write(`${subject} id=${id}\n`);
      }
    });

  schemas
    .command('check')
    .description('check every local schema against the registered one; exit 1 if any is incompatible')
    .action(async () => {
      const e = environment();
      const codec = new SchemaCodec(e.connections.registryUrl);
      let failures = 0;
      for (const topic of topicNames) {
        const subject = valueSubjectOf(topic, e.naming);
        const result = await codec.checkCompatibility(subject, schemaFiles[topic]);
        const state = !result.subjectExists ? 'new' : result.compatible ? 'compatible' : 'INCOMPATIBLE';
        if (!result.compatible) failures++;
        process.stdout.write(`${subject} ${state}${result.messages.length ? `: ${result.messages.join('; ')}` : ''}\n`);
      }
      if (failures > 0) {
        process.stderr.write(`VANE_ERR_SCHEMA_INCOMPATIBLE: ${failures} schema(s) would break BACKWARD compatibility\n`);
        process.exitCode = 1;
      }
    });
}
