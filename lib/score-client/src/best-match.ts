import { isTrusted, locationKeysOf, type ClientLocation, type Score, type TrustThreshold } from '@vane/schemas';

/** What a best match reads scores from: the score of a provider at one location key. */
export interface ScoreLookup {
  get(provider: string, locationKey: string): Score | undefined;
}

/**
 * The most specific score of `provider` for a client location that is
 * trusted enough: a sparse location falls back to its country, continent,
 * then the global score.
 */
export function bestMatch(get: ScoreLookup['get'], provider: string, where: ClientLocation, trust: TrustThreshold = {}): Score | undefined {
  for (const key of locationKeysOf(where)) {
    const score = get(provider, key);
    if (score && isTrusted(score, trust)) return score;
  }
  return undefined;
}
