import { Command, CommanderError } from 'commander';
import { describeError, isVaneError } from '@vane/core';
import { registerConfig } from './commands/config';
import { registerConsume } from './commands/consume';
import { registerInfra } from './commands/infra';
import { registerProduce } from './commands/produce';
import { registerReplay } from './commands/replay';
import { registerRun } from './commands/run';
import { registerSchemas } from './commands/schemas';
import { registerSites } from './commands/sites';
import { registerTopics } from './commands/topics';
import { cliEnvironment, type CliEnvironment } from './environment';

/** Builds the `vane` command tree (exported for tests). */
function buildProgram(env: Record<string, string | undefined>): Command {
  let cached: CliEnvironment | undefined;
  const environment = (): CliEnvironment => (cached ??= cliEnvironment(env));
  const program = new Command('vane')
    .description('Vane: event-sourced stream processing on Kafka — local stack, topics, schemas, records, components')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerInfra(program, environment);
  registerTopics(program, environment);
  registerSchemas(program, environment);
  registerProduce(program, environment);
  registerConsume(program, environment);
  registerSites(program, environment);
  registerConfig(program, environment);
  registerRun(program);
  registerReplay(program, environment);
  return program;
}

/** Entry of the `vane` bin: one clear line and a non-zero exit on error. */
export async function run(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram(process.env);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`vane: ${describeError(error)}\n`);
      if (process.env.VANE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = isVaneError(error) && error.code === 'VANE_ERR_USAGE' ? 2 : 1;
    }
  }
  // kafkajs and driver sockets may linger after a command is done.
  setTimeout(() => process.exit(), 50).unref();
}
