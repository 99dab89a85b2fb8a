import { countryResponse, geolocateResponse, submitResponse } from '../src';
import { countryAnswer, countryGeoIpAnswer, geolocateAnswer, geolocateGeoIpAnswer } from './fixtures/ichnaea-examples';

describe('success bodies', () => {
  it('geolocate answers {location:{lat,lng}, accuracy}, with fallback only when one was used', () => {
    expect(geolocateResponse({ lat: -22.7539192, lon: -43.4371081, accuracy: 100, fallback: null })).toEqual(geolocateAnswer);
    expect(geolocateResponse({ lat: 51, lon: -0.1, accuracy: 600000, fallback: 'ipf' })).toEqual(geolocateGeoIpAnswer);
    expect(geolocateResponse({ lat: 1, lon: 2, accuracy: 60000, fallback: 'lacf' }).fallback).toBe('lacf');
  });

  it('rounds to 7 decimals', () => {
    expect(geolocateResponse({ lat: 52.123456789, lon: 13.987654321, accuracy: 12.3456789012, fallback: null })).toEqual({
      location: { lat: 52.1234568, lng: 13.9876543 }, accuracy: 12.3456789,
    });
  });

  it('country answers {country_code, country_name}', () => {
    expect(countryResponse({ code: 'US', name: 'United States', fallback: null })).toEqual(countryAnswer);
    expect(countryResponse({ code: 'US', name: 'United States', fallback: 'ipf' })).toEqual(countryGeoIpAnswer);
  });

  it('geosubmit answers {}', () => {
    expect(JSON.stringify(submitResponse())).toBe('{}');
  });
});
