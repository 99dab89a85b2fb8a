import { runProcessor } from '@vane/runtime';
import { deadlettersProcessor } from './processor';

/** `vane run deadletters`. */
export function main(env: Record<string, string | undefined>): Promise<void> {
  return runProcessor(deadlettersProcessor, env);
}
