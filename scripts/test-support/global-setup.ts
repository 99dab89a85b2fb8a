import { writeFileSync } from 'node:fs';
import { infraPathsFromEnv } from '@vane/core';
import { stackUp } from '@vane/infra';
import { startedFile } from './started-file';

/** Brings the local stack up for integration tests, remembering what this run started. */
export default async function globalSetup(): Promise<void> {
  const log = (m: string): void => {
    process.stderr.write(`${m}\n`);
  };
  const result = await stackUp([], { paths: infraPathsFromEnv(process.env), env: process.env, log });
  writeFileSync(startedFile(), JSON.stringify(result.started));
}
