import { parseCountryRequest, regionsForMcc, regionsForNetwork, searchRegion, type GeoIpRecord } from '../../src';
import { NOW, station } from '../support';

const frenchIp: GeoIpRecord = { countryCode: 'FR', latitude: 48.85, longitude: 2.35, city: true };
const cell = (mcc: number, mnc: number, cid = 1) => ({ radioType: 'lte', mobileCountryCode: mcc, mobileNetworkCode: mnc, locationAreaCode: 10, cellId: cid });

describe('mobile country codes', () => {
  it('knows the regions of an MCC and of an operator', () => {
    expect(regionsForMcc(262)).toEqual(['DE']);
    expect(regionsForMcc(310)).toEqual(expect.arrayContaining(['US', 'PR', 'GU']));
    expect(regionsForMcc(1)).toEqual([]);
    expect(regionsForNetwork(208, 1)).toEqual(['FR']);
  });
});

describe('searchRegion', () => {
  it('answers an IP-only query from GeoIP without a fallback marker', () => {
    expect(searchRegion(parseCountryRequest(undefined), { geoip: frenchIp }, NOW)).toEqual({ code: 'FR', name: 'France', fallback: null });
  });

  it('lets one unambiguous cell outweigh GeoIP', () => {
    expect(searchRegion(parseCountryRequest({ cellTowers: [cell(262, 1)] }), { geoip: frenchIp }, NOW)).toEqual({ code: 'DE', name: 'Germany', fallback: null });
  });

  it('answers from the cell when it agrees with GeoIP, with no fallback', () => {
    expect(searchRegion(parseCountryRequest({ cellTowers: [cell(208, 1)] }), { geoip: frenchIp }, NOW)!.fallback).toBeNull();
  });

  it('lets GeoIP decide between the regions of a shared MCC', () => {
    const usIp: GeoIpRecord = { countryCode: 'PR', latitude: 18.4, longitude: -66.1 };
    // 310/999 is not a listed operator: the MCC's regions share the cell's point.
    const q = parseCountryRequest({ cellTowers: [cell(310, 999)] });
    expect(searchRegion(q, { geoip: usIp }, NOW)!.code).toBe('PR');
  });

  it('counts learned WiFi stations by their region', () => {
    const macs = ['02:00:00:00:01:00', '02:00:00:00:02:00'];
    const q = parseCountryRequest({ wifiAccessPoints: macs.map((macAddress) => ({ macAddress })) });
    const wifi = macs.map((m) => station('wifi', m.replace(/:/g, ''), 52.5, 13.4, { region: 'DE' }));
    expect(searchRegion(q, { geoip: frenchIp, stations: { wifi, bluetooth: [], cells: [], cellAreas: [] } }, NOW)).toEqual({ code: 'DE', name: 'Germany', fallback: null });
  });

  it('reports ipf when GeoIP answered although the query had networks', () => {
    const q = parseCountryRequest({ wifiAccessPoints: [{ macAddress: '02:00:00:00:01:00' }, { macAddress: '02:00:00:00:02:00' }] });
    expect(searchRegion(q, { geoip: frenchIp }, NOW)).toEqual({ code: 'FR', name: 'France', fallback: 'ipf' });
  });

  it('answers nothing without evidence', () => {
    expect(searchRegion(parseCountryRequest({ considerIp: false }), { geoip: frenchIp }, NOW)).toBeNull();
    expect(searchRegion(parseCountryRequest(undefined), { geoip: null }, NOW)).toBeNull();
  });
});
