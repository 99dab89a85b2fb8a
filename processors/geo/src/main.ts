import { runProcessor } from '@vane/runtime';
import { geoProcessor } from './processor';

/** `vane run geo`: ingest.downloads.v1 → ClickHouse downloads (group vane.geo). */
export function main(env: Record<string, string | undefined>): Promise<void> {
  return runProcessor(geoProcessor, env, {});
}
