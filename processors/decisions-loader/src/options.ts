import { VaneError } from '@vane/core';

/** The decision loaders have no options beyond where they write (runtime connections). */
export type DecisionsLoaderOptions = Record<string, never>;

export function decisionsLoaderOptions(raw: Record<string, unknown>): DecisionsLoaderOptions {
  const unknown = Object.keys(raw);
  if (unknown.length > 0) throw new VaneError('VANE_ERR_CONFIG', `the decisions loaders take no options (got ${unknown.join(', ')})`);
  return {};
}
