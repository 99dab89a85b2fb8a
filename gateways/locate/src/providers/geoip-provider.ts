import type { GeolocateRequest } from '../geolocate-request';
import { isIpOnly } from '../geolocate-request';
import { regionName } from '../mobile-codes';
import type { PositionResult, RegionResult } from './results';

/**
 * The GeoIP provider: a position or region from what a MaxMind (GeoLite2
 * City) lookup of the client's address returned. It searches when the
 * query allows the IP fallback (`fallbacks.ipf`) and the lookup found a
 * record; its result is marked `fallback: "ipf"` unless the query had no
 * network data at all (then GeoIP is simply the answer).
 *
 * Accuracy (Ichnaea's guesses): the smallest that applies of
 * - 25 km when the record names a city;
 * - the largest subdivision radius of the country (400 km unless the
 *   country has larger ones, e.g. 1,200 km in the US) when it names one;
 * - the database's own accuracy radius when given;
 * - the country's radius when the caller knows it, else 5,000 km.
 * Score 0.9 for a country-level record, 0.5 for a city-level one (a city
 * guess is wrong more often than the country).
 */
export interface GeoIpRecord {
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
  latitude: number;
  longitude: number;
  /** ISO 3166-2 subdivision codes, most general first; [] when none. */
  subdivisions?: readonly string[];
  /** Whether the record locates a city (not just a country or subdivision). */
  city?: boolean;
  /** MaxMind's `location.accuracy_radius` in km, when the database has it. */
  accuracyRadiusKm?: number | null;
  /** Radius of the whole country in metres, when the caller knows it. */
  countryRadiusMeters?: number | null;
}

export const CITY_RADIUS_METERS = 25_000;
export const SUBDIVISION_RADIUS_METERS = 400_000;
/** Worst-case radius of a country (Russia's is about 5,200 km). */
export const REGION_RADIUS_METERS = 5_000_000;
export const GEOIP_COUNTRY_SCORE = 0.9;
export const GEOIP_CITY_SCORE = 0.5;

/** Largest subdivision radius (metres) of the countries whose subdivisions exceed 400 km. */
const SUBDIVISION_RADII: Readonly<Record<string, number>> = {
  AU: 1_200_000, BR: 1_000_000, CA: 1_400_000, CD: 500_000, CL: 500_000, CN: 1_000_000, DZ: 600_000,
  EG: 500_000, GL: 1_600_000, ID: 550_000, KZ: 550_000, LY: 500_000, ML: 600_000, NE: 600_000,
  RU: 1_200_000, SA: 650_000, SD: 450_000, SO: 500_000, US: 1_200_000,
};

export function geoipRadius(record: GeoIpRecord): { radius: number; regionRadius: number } {
  const regionRadius = record.countryRadiusMeters ?? REGION_RADIUS_METERS;
  let radius = regionRadius;
  if (record.accuracyRadiusKm) radius = Math.min(record.accuracyRadiusKm * 1000, radius);
  if (record.subdivisions && record.subdivisions.length > 0) radius = Math.min(SUBDIVISION_RADII[record.countryCode] ?? SUBDIVISION_RADIUS_METERS, radius);
  if (record.city) radius = Math.min(CITY_RADIUS_METERS, radius);
  return { radius, regionRadius };
}

export function geoipShouldSearch(request: GeolocateRequest, record: GeoIpRecord | null): boolean {
  return request.fallbacks.ipf && record !== null;
}

export function geoipPosition(request: GeolocateRequest, record: GeoIpRecord | null): PositionResult[] {
  if (record === null || !geoipShouldSearch(request, record)) return [];
  return [{
    lat: record.latitude,
    lon: record.longitude,
    accuracy: geoipRadius(record).radius,
    score: record.city ? GEOIP_CITY_SCORE : GEOIP_COUNTRY_SCORE,
    source: 'geoip',
    fallback: isIpOnly(request) ? null : 'ipf',
    used: [],
  }];
}

export function geoipRegion(request: GeolocateRequest, record: GeoIpRecord | null): RegionResult[] {
  if (record === null || !geoipShouldSearch(request, record)) return [];
  const code = record.countryCode.toUpperCase();
  const name = regionName(code);
  if (name === null) return [];
  return [{
    code,
    name,
    accuracy: geoipRadius(record).regionRadius,
    score: GEOIP_COUNTRY_SCORE,
    source: 'geoip',
    fallback: isIpOnly(request) ? null : 'ipf',
  }];
}
