import { roundDegrees } from './geo-distance';

/**
 * Success bodies of the Ichnaea API.
 * - `/v1/geolocate`: `{location: {lat, lng}, accuracy}`; accuracy is the
 *   radius in metres of the circle holding the client with 95% confidence;
 *   `fallback` ("ipf" GeoIP, "lacf" cell area) only when one answered.
 * - `/v1/country`: `{country_code, country_name}` (+ `fallback: "ipf"`).
 * - `/v2/geosubmit`, `/v1/geosubmit`: `{}` with 200; `/v1/submit`: 204, no body.
 * Coordinates and accuracy are rounded to 7 decimals.
 */
export type FallbackName = 'ipf' | 'lacf';

export interface PositionAnswer {
  lat: number;
  lon: number;
  accuracy: number;
  fallback: FallbackName | null;
}

export interface RegionAnswer {
  code: string;
  name: string;
  fallback: FallbackName | null;
}

export interface GeolocateResponse {
  location: { lat: number; lng: number };
  accuracy: number;
  fallback?: FallbackName;
}

export interface CountryResponse {
  country_code: string;
  country_name: string;
  fallback?: FallbackName;
}

export function geolocateResponse(answer: PositionAnswer): GeolocateResponse {
  const body: GeolocateResponse = {
    location: { lat: roundDegrees(answer.lat), lng: roundDegrees(answer.lon) },
    accuracy: roundDegrees(answer.accuracy),
  };
  if (answer.fallback !== null) body.fallback = answer.fallback;
  return body;
}

export function countryResponse(answer: RegionAnswer): CountryResponse {
  const body: CountryResponse = { country_code: answer.code, country_name: answer.name };
  if (answer.fallback !== null) body.fallback = answer.fallback;
  return body;
}

/** Body of a successful geosubmit. */
export function submitResponse(): Record<string, never> {
  return {};
}
