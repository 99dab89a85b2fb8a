import type { GeolocateRequest } from '../geolocate-request';
import { regionName, regionsForNetwork } from '../mobile-codes';
import { cellAreaKey, cellKey } from '../station-keys';
import { isUsable } from '../station-record';
import type { RegionAnswer } from '../responses';
import { geoipRegion, REGION_RADIUS_METERS, type GeoIpRecord } from './geoip-provider';
import { internalStationRegions, NO_STATIONS, type FoundStations } from './internal-provider';
import { bestRegion, type RegionResult } from './results';
import { stationScore } from './station-score';

/**
 * `/v1/country`: the region (ISO 3166-1 alpha-2) of the client. Evidence
 * is summed per region and the region with the most wins:
 * 1. each cell of the query (each distinct cell, or area when only the area
 *    is known) gives 1 point, split evenly among the regions of its network
 *    (the operator's own regions when its mcc/mnc is listed, else every
 *    region using the MCC — e.g. 310 is shared by the US and its territories);
 *    for a network in several regions, the learned cell areas found add
 *    their score to the region they lie in;
 * 2. each learned WiFi/Bluetooth station found gives its score to its region;
 * 3. GeoIP gives 0.9 to the client's country (when `ipf` allows), marked
 *    `fallback: "ipf"` unless the query had no network data.
 * So one unambiguous cell (1.0) outweighs GeoIP (0.9), and GeoIP decides
 * between the regions of a shared MCC. Ties go to the larger region; within
 * the winning region, internal evidence is answered before GeoIP (so no
 * fallback is reported when the networks agreed with it).
 */
export function cellRegions(request: GeolocateRequest, found: FoundStations = NO_STATIONS, now = 0): RegionResult[] {
  const votes = new Map<string, number>();
  const seenAreas = new Set(request.cells.map((c) => cellAreaKey(c)));
  const networks = [
    ...request.cells.map((c) => ({ mcc: c.mcc, mnc: c.mnc, area: cellAreaKey(c), key: cellKey(c) })),
    ...request.cellAreas.filter((a) => !seenAreas.has(cellAreaKey(a))).map((a) => ({ mcc: a.mcc, mnc: a.mnc, area: cellAreaKey(a), key: cellAreaKey(a) })),
  ];
  const unique = new Map(networks.map((n) => [n.key, n]));
  const ambiguousAreas = new Set<string>();
  for (const n of unique.values()) {
    const regions = regionsForNetwork(n.mcc, n.mnc);
    for (const region of regions) votes.set(region, (votes.get(region) ?? 0) + 1 / regions.length);
    if (regions.length > 1) ambiguousAreas.add(n.area);
  }
  for (const area of found.cellAreas) {
    if (area.kind !== 'cellArea' || !ambiguousAreas.has(area.key) || !isUsable(area, now) || area.region === null) continue;
    if (votes.has(area.region)) votes.set(area.region, votes.get(area.region)! + stationScore(area, now));
  }
  return [...votes].flatMap(([code, score]) => {
    const name = regionName(code);
    return name === null ? [] : [{ code, name, accuracy: REGION_RADIUS_METERS, score, source: 'internal' as const, fallback: null }];
  });
}

export interface RegionInputs {
  /** What GeoIP returned for the client's address; null when nothing (or no address). */
  geoip: GeoIpRecord | null;
  /** Stations found for the query's keys; omit when they were not looked up. */
  stations?: FoundStations;
}

/** Every candidate region result, for logging and tests. */
export function regionResults(request: GeolocateRequest, inputs: RegionInputs, now: number): RegionResult[] {
  const found = inputs.stations ?? NO_STATIONS;
  return [...internalStationRegions(request, found, now), ...cellRegions(request, found, now), ...geoipRegion(request, inputs.geoip)];
}

/** The region answer, or null (404 notFound). */
export function searchRegion(request: GeolocateRequest, inputs: RegionInputs, now: number): RegionAnswer | null {
  const best = bestRegion(regionResults(request, inputs, now));
  return best === null ? null : { code: best.code, name: best.name, fallback: best.fallback };
}
