import { VaneError } from '@vane/core';

/** The dead-letter loader has no options beyond where it writes (runtime connections). */
export type DeadlettersOptions = Record<string, never>;

export function deadlettersOptions(raw: Record<string, unknown>): DeadlettersOptions {
  const unknown = Object.keys(raw);
  if (unknown.length > 0) throw new VaneError('VANE_ERR_CONFIG', `deadletters takes no options (got ${unknown.join(', ')})`);
  return {};
}
