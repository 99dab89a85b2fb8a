import { runProcessor } from '@vane/runtime';
import { deadlettersProcessor } from './processor';
import { deadlettersReplay } from './replay-spec';

/** `vane run deadletters`: the serving version (group vane.deadletters, `.<label>` after a replay's promote). */
export function main(env: Record<string, string | undefined>): Promise<void> {
  return runProcessor(deadlettersProcessor, env, {}, deadlettersReplay);
}
