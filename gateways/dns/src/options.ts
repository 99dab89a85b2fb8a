import { resolveSandboxLimits, type SandboxLimits } from '@vane/apps';
import { VaneError } from '@vane/core';

/** The DNS gateway's settings: one validated object with defaults (server.ts reads the environment). */
export interface DnsSettings {
  /** VANE_DNS_HOST, default 127.0.0.1. */
  host: string;
  /** VANE_DNS_PORT (UDP and TCP), default 8053. */
  port: number;
  /** VANE_DNS_NAMESERVERS: NS names of every zone (the first is the SOA MNAME), default ns1.vane.invalid. */
  nameservers: string[];
  /** VANE_DNS_HOSTMASTER: SOA RNAME, default hostmaster.vane.invalid. */
  hostmaster: string;
  /** VANE_DNS_NEGATIVE_TTL: SOA MINIMUM, the TTL of NXDOMAIN/NODATA answers, default 60. */
  negativeTtl: number;
  /** TTL of SOA and NS records, default 3600. */
  zoneTtl: number;
  /** VANE_DNS_MAX_UDP_PAYLOAD: largest UDP answer we send with EDNS (RFC 9715 advises 1232), default 1232. */
  maxUdpPayload: number;
  /** VANE_DNS_TCP_IDLE_MS: idle TCP connections are closed after this, default 10000. */
  tcpIdleMs: number;
  /** VANE_APP_*: limits of the apps' isolates. */
  sandbox: SandboxLimits;
}

export const defaultSettings: Omit<DnsSettings, 'sandbox'> = {
  host: '127.0.0.1',
  port: 8053,
  nameservers: ['ns1.vane.invalid'],
  hostmaster: 'hostmaster.vane.invalid',
  negativeTtl: 60,
  zoneTtl: 3600,
  maxUdpPayload: 1232,
  tcpIdleMs: 10_000,
};

export type DnsSettingsInput = Partial<Omit<DnsSettings, 'sandbox'>> & { sandbox?: Partial<SandboxLimits> };

export function resolveSettings(partial: DnsSettingsInput = {}): DnsSettings {
  const settings: DnsSettings = { ...defaultSettings, ...partial, sandbox: resolveSandboxLimits(partial.sandbox) };
  if (settings.nameservers.length === 0) throw new VaneError('VANE_ERR_CONFIG', 'the DNS gateway needs at least one name server name (VANE_DNS_NAMESERVERS)');
  if (settings.maxUdpPayload < 512 || settings.maxUdpPayload > 4096) throw new VaneError('VANE_ERR_CONFIG', `VANE_DNS_MAX_UDP_PAYLOAD must be 512-4096, got ${settings.maxUdpPayload}`);
  return settings;
}
