import ipaddr from 'ipaddr.js';

/**
 * Truncation of client addresses at the door (the first thing done with an
 * address; nothing else ever sees the full one): IPv4 to /24, IPv6 to /48.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) count as IPv4.
 */
export interface TruncatedIp {
  /** CIDR notation, as written to topics: "203.0.113.0/24", "2001:db8:85a3::/48". */
  cidr: string;
  /** The network address alone ("203.0.113.0"), used for GeoIP lookups. */
  address: string;
  family: 4 | 6;
}

export const IPV4_PREFIX = 24;
export const IPV6_PREFIX = 48;

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Truncates `raw`; null when it is not an IP address (e.g. a hostname in an access log). */
export function truncateIp(raw: string): TruncatedIp | null {
  // Fast path for the common case, a plain dotted quad.
  const quad = DOTTED_QUAD.exec(raw);
  if (quad) {
    const [a, b, c, d] = [Number(quad[1]), Number(quad[2]), Number(quad[3]), Number(quad[4])];
    if (a > 255 || b > 255 || c > 255 || d > 255) return null;
    const address = `${a}.${b}.${c}.0`;
    return { cidr: `${address}/${IPV4_PREFIX}`, address, family: 4 };
  }
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // Zone ids ("fe80::1%eth0") are not part of the address.
    parsed = ipaddr.parse(raw.trim().replace(/%.*$/, ''));
  } catch {
    return null;
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') {
    const octets = (parsed as ipaddr.IPv4).octets;
    const address = `${octets[0]}.${octets[1]}.${octets[2]}.0`;
    return { cidr: `${address}/${IPV4_PREFIX}`, address, family: 4 };
  }
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 3).concat([0, 0, 0, 0, 0]);
  const address = new ipaddr.IPv6(parts).toString();
  return { cidr: `${address}/${IPV6_PREFIX}`, address, family: 6 };
}
