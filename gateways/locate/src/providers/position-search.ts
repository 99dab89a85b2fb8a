import type { GeolocateRequest } from '../geolocate-request';
import type { PositionAnswer } from '../responses';
import { geoipPosition, geoipShouldSearch, type GeoIpRecord } from './geoip-provider';
import { internalPositions, internalShouldSearch, type FoundStations } from './internal-provider';
import { bestPosition, type PositionResult, type ResultSource } from './results';

/**
 * `/v1/geolocate`: providers run in order — GeoIP (in memory, cheap), then
 * internal (learned stations) — each deciding from the results so far
 * whether to search; the best result of all wins (results.ts).
 *
 * The gateway drives it in two steps so that a query the GeoIP answer
 * already satisfies, or one with no network data, never touches the
 * station store:
 *   const first = geoipPosition(request, geoip);
 *   if (internalShouldSearch(request, first, hasIp)) stations = await fetch(internalLookupKeys(request));
 *   const outcome = searchPosition(request, { geoip, stations }, now);
 * When the store is down, pass `stations: undefined`: the answer then
 * comes from GeoIP alone.
 */
export interface PositionInputs {
  geoip: GeoIpRecord | null;
  /** Stations found for `internalLookupKeys(request)`; undefined when not looked up. */
  stations?: FoundStations;
  /** Whether the client's address is known (GeoIP could have been asked). */
  hasIp?: boolean;
}

export interface PositionOutcome {
  /** The answer, or null for 404 notFound. */
  answer: PositionAnswer | null;
  /** Provider whose result was answered ("none" when not found), as locate.queries.v1 records it. */
  source: ResultSource | 'none';
  /** The winning result, with the stations it used. */
  best: PositionResult | null;
  /** Every candidate result. */
  results: PositionResult[];
}

export function searchPosition(request: GeolocateRequest, inputs: PositionInputs, now: number): PositionOutcome {
  const results: PositionResult[] = [];
  if (geoipShouldSearch(request, inputs.geoip)) results.push(...geoipPosition(request, inputs.geoip));
  if (inputs.stations !== undefined && internalShouldSearch(request, results, inputs.hasIp ?? inputs.geoip !== null)) {
    results.push(...internalPositions(request, inputs.stations, now));
  }
  const best = bestPosition(results);
  if (best === null) return { answer: null, source: 'none', best: null, results };
  return { answer: { lat: best.lat, lon: best.lon, accuracy: best.accuracy, fallback: best.fallback }, source: best.source, best, results };
}
