import type { Score } from '@vane/schemas';

/** Where a client is, as far as known (any field may be missing). */
export interface ClientLocation {
  country?: string | null;
  continent?: string | null;
  asn?: number | null;
}

export interface BestMatchOptions {
  /** Skip scores less trusted than this (0..1), default 0. */
  minConfidence?: number;
  /** Skip scores with fewer samples, default 1. */
  minSamples?: number;
}

/** Location keys of a client, most specific first: asn:<country>:<asn>, country:<country>, continent:<continent>, global. */
export function locationKeysOf(where: ClientLocation): string[] {
  const keys: string[] = [];
  if (where.country) {
    if (where.asn !== null && where.asn !== undefined) keys.push(`asn:${where.country}:${where.asn}`);
    keys.push(`country:${where.country}`);
  }
  if (where.continent) keys.push(`continent:${where.continent}`);
  keys.push('global');
  return keys;
}

/**
 * The most specific score of `provider` for a client location that is
 * trusted enough: a sparse location falls back to its country, continent,
 * then the global score.
 */
export function bestMatch(get: (provider: string, locationKey: string) => Score | undefined, provider: string, where: ClientLocation, options: BestMatchOptions = {}): Score | undefined {
  const minConfidence = options.minConfidence ?? 0;
  const minSamples = options.minSamples ?? 1;
  for (const key of locationKeysOf(where)) {
    const score = get(provider, key);
    if (score && score.confidence >= minConfidence && score.samples >= minSamples) return score;
  }
  return undefined;
}
