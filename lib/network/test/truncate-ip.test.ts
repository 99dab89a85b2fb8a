import { truncateIp } from '../src';

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24', '203.0.113.0', 4],
    ['010.001.002.003', '10.1.2.0/24', '10.1.2.0', 4],
    ['::ffff:198.51.100.200', '198.51.100.0/24', '198.51.100.0', 4],
    ['2001:db8:85a3:1234:5678::1', '2001:db8:85a3::/48', '2001:db8:85a3::', 6],
    ['fe80::1%eth0', 'fe80::/48', 'fe80::', 6],
    ['::1', '::/48', '::', 6],
  ])('%s → %s', (raw, cidr, address, family) => {
    expect(truncateIp(raw)).toEqual({ cidr, address, family });
  });

  it('refuses what is not an address', () => {
    expect(truncateIp('example.com')).toBeNull();
    expect(truncateIp('256.1.1.1')).toBeNull();
    expect(truncateIp('')).toBeNull();
  });
});
