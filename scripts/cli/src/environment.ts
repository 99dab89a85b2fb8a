import { connectionsFromEnv, infraPathsFromEnv, type Connections, type InfraPaths } from '@vane/core';
import { namingFromEnv, type TopicNaming } from '@vane/topics';

type Env = Record<string, string | undefined>;

/** Everything a command needs from the environment, read once at the entry. */
export interface CliEnvironment {
  env: Env;
  connections: Connections;
  naming: TopicNaming;
  paths: InfraPaths;
  log: (line: string) => void;
}

export function cliEnvironment(env: Env): CliEnvironment {
  return {
    env,
    connections: connectionsFromEnv(env),
    naming: namingFromEnv(env),
    paths: infraPathsFromEnv(env),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
