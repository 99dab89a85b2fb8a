import { runProcessor, servingVersionFromEnv } from '@vane/runtime';
import { deadlettersProcessor } from './processor';
import { deadlettersReplay } from './replay-spec';

/** `vane run deadletters`: the serving version (group vane.deadletters, `.<label>` after a replay's promote). */
export async function main(env: Record<string, string | undefined>): Promise<void> {
  const version = await servingVersionFromEnv(env, deadlettersReplay.model, deadlettersReplay.topics);
  await runProcessor(deadlettersProcessor, env, {}, version);
}
