import { parseGeolocateRequest, type GeolocateRequest } from './geolocate-request';

/**
 * `POST /v1/country` takes the geolocate body unchanged (Ichnaea's region
 * API): an empty body asks for the region of the client's IP address.
 * Parsing, validation and errors are those of `parseGeolocateRequest`.
 */
export type CountryRequest = GeolocateRequest;

export function parseCountryRequest(body: unknown): CountryRequest {
  return parseGeolocateRequest(body);
}
