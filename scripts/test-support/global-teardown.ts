import { existsSync, readFileSync, rmSync } from 'node:fs';
import { infraPathsFromEnv } from '@vane/core';
import { stackDown } from '@vane/infra';
import { startedFile } from './started-file';

/** Stops exactly the services the global setup started (never a stack the developer was already running). */
export default async function globalTeardown(): Promise<void> {
  const file = startedFile();
  if (!existsSync(file)) return;
  const started = JSON.parse(readFileSync(file, 'utf8')) as string[];
  rmSync(file, { force: true });
  if (started.length === 0) return;
  await stackDown(started, { paths: infraPathsFromEnv(process.env), env: process.env, log: (m) => process.stderr.write(`${m}\n`) });
}
