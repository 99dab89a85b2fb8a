import type { Network } from '@vane/schemas';

/** Location levels, most specific first (scores.v1 `level`). */
export const levels = ['asn', 'country', 'continent', 'global'] as const;
export type Level = (typeof levels)[number];

export interface Location {
  level: Level;
  /** scores.v1 locationKey: asn:<country>:<asn>, country:<country>, continent:<continent> or global. */
  key: string;
}

/**
 * Every location a client network counts towards, most specific first: its
 * ASN within its country, its country, its continent, and global. Levels
 * whose GeoIP facts are unknown are left out (an ASN needs a country), so a
 * sparse location's measurements still feed the wider ones it falls back to.
 */
export function locationsOf(network: Pick<Network, 'country' | 'continent' | 'asn'>): Location[] {
  const out: Location[] = [];
  if (network.country) {
    if (network.asn !== null && network.asn !== undefined) out.push({ level: 'asn', key: `asn:${network.country}:${network.asn}` });
    out.push({ level: 'country', key: `country:${network.country}` });
  }
  if (network.continent) out.push({ level: 'continent', key: `continent:${network.continent}` });
  out.push({ level: 'global', key: 'global' });
  return out;
}

/** Key of a score (scores.v1 record key, state key): `${provider}|${locationKey}`. */
export function scoreKey(provider: string, locationKey: string): string {
  return `${provider}|${locationKey}`;
}
