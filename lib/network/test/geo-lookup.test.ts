import { openGeo, truncateIp } from '../src';

describe('GeoIP from the shipped databases', () => {
  const geo = openGeo();
  const at = (ip: string) => geo.network(truncateIp(ip)!);

  it('locates truncated addresses: country, continent, AS', () => {
    expect(at('8.8.8.8')).toMatchObject({ truncatedIp: '8.8.8.0/24', country: 'US', continent: 'NA', asn: 15169, asnOrg: 'Google LLC' });
    expect(at('62.155.1.1')).toMatchObject({ truncatedIp: '62.155.1.0/24', country: 'DE', continent: 'EU', asn: 3320 });
    expect(at('2003:e1:1234::1')).toMatchObject({ truncatedIp: '2003:e1:1234::/48', country: 'DE', continent: 'EU', asn: 3320 });
  });

  it('gives ISO 3166-2 regions where the database names one', () => {
    expect(at('2a00:1450:4001:82b::200e')).toMatchObject({ country: 'DE', region: 'DE-HE' });
  });

  it('knows nothing of private and documentation ranges', () => {
    expect(at('127.0.0.1')).toEqual({ truncatedIp: '127.0.0.0/24', country: null, continent: null, region: null, asn: null, asnOrg: null });
    expect(at('192.0.2.1')).toMatchObject({ country: null, asn: null });
  });
});
