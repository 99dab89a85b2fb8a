import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the integration setup records which services it started (one file per jest run). */
export function startedFile(): string {
  return join(tmpdir(), `vane-jest-started-${process.env.VANE_TEST_RUN_ID ?? process.pid}.json`);
}
