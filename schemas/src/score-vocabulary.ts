import type { Score } from './types.generated';

/**
 * The words scores.v1 (schemas/avro/scores.v1.avsc) is written in, for
 * everyone who writes or reads scores: the ingest gateway keys measurements by
 * location, the scorer folds them per location level, the snapshots gateway
 * and the score client key scores, routing apps see score fields and filter
 * them by trust.
 *
 * - Location levels, most specific first: "asn", "country", "continent",
 *   "global". Location keys: "asn:<country>:<asn>" (e.g. "asn:DE:3320"),
 *   "country:<country>", "continent:<continent>", "global"; codes as in
 *   vane.common.Network (ISO 3166-1 alpha-2 country, two-letter continent).
 *   An ASN level needs a country.
 * - Score key (scores.v1 record key, scorer state keys): "<provider>|<locationKey>".
 */

export const locationLevels = ['asn', 'country', 'continent', 'global'] as const;
export type LocationLevel = (typeof locationLevels)[number];

/** The location key of the widest level. */
export const GLOBAL_LOCATION = 'global';

/** Where a client is, as far as known (any field may be missing): a Network record or part of one. */
export interface ClientLocation {
  country?: string | null;
  continent?: string | null;
  asn?: number | null;
}

export interface Location {
  level: LocationLevel;
  /** scores.v1 locationKey. */
  key: string;
}

/**
 * Every location a client counts towards, most specific first: its ASN within
 * its country, its country, its continent, and global. Levels whose facts are
 * unknown are left out (an ASN needs a country), so a sparse location's
 * measurements still feed, and its lookups fall back to, the wider ones.
 */
export function locationsOf(where: ClientLocation): Location[] {
  const out: Location[] = [];
  if (where.country) {
    if (where.asn !== null && where.asn !== undefined) out.push({ level: 'asn', key: `asn:${where.country}:${where.asn}` });
    out.push({ level: 'country', key: `country:${where.country}` });
  }
  if (where.continent) out.push({ level: 'continent', key: `continent:${where.continent}` });
  out.push({ level: 'global', key: GLOBAL_LOCATION });
  return out;
}

/** The location keys of a client, most specific first (the order lookups fall back in). */
export function locationKeysOf(where: ClientLocation): string[] {
  return locationsOf(where).map((l) => l.key);
}

/** The most specific location key of a client (how ingest.measurements.v1 is keyed). */
export function locationKeyOf(where: ClientLocation): string {
  return locationsOf(where)[0]!.key;
}

/** The level a location key names ("asn:DE:3320" → "asn"); other strings give themselves up to the first ":". */
export function levelOf(locationKey: string): string {
  const colon = locationKey.indexOf(':');
  return colon < 0 ? locationKey : locationKey.slice(0, colon);
}

/** Key of a score: the scores.v1 record key, `${provider}|${locationKey}`. */
export function scoreKey(provider: string, locationKey: string): string {
  return `${provider}|${locationKey}`;
}

/** The figures a score gives of a provider at a location (scores.v1 fields), what apps and resolvers compare. */
export const scoreFigureNames = ['rttP50', 'rttP90', 'availability', 'throughputP50', 'samples', 'confidence'] as const;
export type ScoreFigureName = (typeof scoreFigureNames)[number];
export type ScoreFigures = Pick<Score, ScoreFigureName>;

/** What a reader of scores sees of one: where it holds, its figures and when it was computed (routing apps get these fields). */
export const scoreViewNames = ['level', 'locationKey', ...scoreFigureNames, 'computedAt'] as const;
export type ScoreViewName = (typeof scoreViewNames)[number];
export type ScoreView = Pick<Score, ScoreViewName>;

/** The fields of a scores.v1 record kept in a ScoreView. */
export function scoreViewOf(score: ScoreView): ScoreView {
  return {
    level: score.level,
    locationKey: score.locationKey,
    rttP50: score.rttP50,
    rttP90: score.rttP90,
    availability: score.availability,
    throughputP50: score.throughputP50,
    samples: Number(score.samples),
    confidence: score.confidence,
    computedAt: Number(score.computedAt),
  };
}

/** How much a reader must trust a score to use it. */
export interface TrustThreshold {
  /** Skip scores less trusted than this (0..1), default 0. */
  minConfidence?: number;
  /** Skip scores with fewer samples, default 1. */
  minSamples?: number;
}

/** Whether a score is trusted enough to be used. */
export function isTrusted(score: Pick<Score, 'confidence' | 'samples'>, trust: TrustThreshold = {}): boolean {
  return score.confidence >= (trust.minConfidence ?? 0) && Number(score.samples) >= (trust.minSamples ?? 1);
}
