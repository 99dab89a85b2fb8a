import ipaddr from 'ipaddr.js';
import type { Network } from '@vane/schemas';
import type { GeoLookup } from './geo-lookup';
import { IPV4_PREFIX, IPV6_PREFIX, truncateIp, type TruncatedIp } from './truncate-ip';

/**
 * The network a decision is made for, from an address and optionally the
 * prefix length that is meaningful (an EDNS Client Subnet's SOURCE
 * PREFIX-LENGTH). Addresses are truncated first (IPv4 /24, IPv6 /48, or the
 * shorter prefix given) and only the truncated network is located and kept,
 * with the same truncation and GeoIP as at the ingest gateway.
 */

/** `address` cut to at most `prefix` bits (and never more than /24 or /48); null when it is not an address. */
export function truncateTo(address: string, prefix?: number): TruncatedIp | null {
  const truncated = truncateIp(address);
  if (!truncated || prefix === undefined) return truncated;
  const limit = truncated.family === 4 ? IPV4_PREFIX : IPV6_PREFIX;
  if (prefix >= limit) return truncated;
  const bits = Math.max(0, prefix);
  const cidr = `${truncated.address}/${bits}`;
  const text = (truncated.family === 4 ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr)).toString();
  return { cidr: `${text}/${bits}`, address: text, family: truncated.family };
}

/** The Network record of an address, located from its truncated form. */
export function networkOf(geo: GeoLookup, address: string, prefix?: number): Network {
  const truncated = truncateTo(address, prefix) ?? { cidr: '0.0.0.0/24', address: '0.0.0.0', family: 4 as const };
  return geo.network(truncated);
}

/** A GeoLookup that knows fixed networks by truncated CIDR (tests); anything else is unknown. */
export function fixedGeo(known: Record<string, Omit<Network, 'truncatedIp'>>): GeoLookup {
  return {
    network: (ip) => {
      const hit = known[ip.cidr];
      return hit ? { truncatedIp: ip.cidr, ...hit } : { truncatedIp: ip.cidr, country: null, continent: null, region: null, asn: null, asnOrg: null };
    },
  };
}
