import { findBotMatch } from 'isbot';
import type { Network, UserAgent } from '@vane/schemas';
import type { DropReason } from './drops';
import type { SiteRules } from './site-rules';
import type { DeviceType } from './unified-event';

/**
 * Bot filtering: the user agent against isbot's maintained pattern list, the
 * gateway's own bot classification, a missing agent, and datacenter ASNs.
 * Returns the first matching reason with its detail, or null for a human.
 *
 * `agentExpected` is false when the record's format has no User-Agent field
 * at all (Apache common log format): then a missing agent says nothing.
 */
export interface BotVerdict {
  reason: Extract<DropReason, 'bot_user_agent' | 'bot_no_user_agent' | 'bot_device_class' | 'bot_datacenter'>;
  detail: string;
}

export function botVerdict(userAgent: UserAgent | null, network: Pick<Network, 'asn' | 'asnOrg'>, site: SiteRules, agentExpected = true): BotVerdict | null {
  const raw = userAgent?.raw ?? null;
  if (raw !== null && raw !== '') {
    const match = findBotMatch(raw);
    if (match !== null) return { reason: 'bot_user_agent', detail: `isbot matched "${match}" in ${JSON.stringify(raw)}` };
  }
  if (userAgent?.deviceClass === 'bot') return { reason: 'bot_device_class', detail: `the gateway classed "${raw ?? userAgent.family ?? ''}" as a bot` };
  if (agentExpected && (userAgent === null || ((raw === null || raw === '') && userAgent.family === null && userAgent.deviceClass === null))) {
    return { reason: 'bot_no_user_agent', detail: 'the request had no User-Agent' };
  }
  if (network.asn !== null && site.datacenterAsns.includes(network.asn)) {
    return { reason: 'bot_datacenter', detail: `AS${network.asn}${network.asnOrg ? ` (${network.asnOrg})` : ''} is a datacenter network` };
  }
  return null;
}

/** The gateway's device class as Plausible's device names; null when unknown. */
export function deviceType(deviceClass: string | null | undefined): DeviceType | null {
  switch (deviceClass) {
    case 'desktop':
      return 'Desktop';
    case 'mobile':
      return 'Mobile';
    case 'tablet':
      return 'Tablet';
    case 'tv':
      return 'TV';
    case 'other':
      return 'Other';
    default:
      return null;
  }
}
