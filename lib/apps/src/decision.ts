import ipaddr from 'ipaddr.js';
import type { AppFallback } from '@vane/config-model';
import type { AppAnswer, AppProvider } from './app-request';
import { REASON_PATTERN, UNSPECIFIED_REASON, reasonCodes } from './reason-codes';
import type { RunOutcome } from './sandbox';

/**
 * A decision as the gateways answer it: the provider chosen and what to
 * answer for it (a CNAME, addresses, a URL), checked against the app
 * version's providers. An app answer that does not check out, and any app
 * failure, becomes the version's fallback with a gateway reason code.
 */
export interface Decision {
  /** Provider chosen; null only when even the fallback named nothing usable. */
  provider: string | null;
  /** CNAME target (a host name), or null. */
  cname: string | null;
  /** Addresses to answer (IPv4 and IPv6, at most MAX_ADDRESSES). */
  addresses: string[];
  /** URL base for HTTP answers, or null. */
  url: string | null;
  ttl: number;
  reason: string;
  fallback: boolean;
  /** Provider ids in the app's order of preference (HTTP lists them). */
  ranking: string[];
  /** Why the app did not decide (fallback only); for logs and test reports, never sent to clients. */
  error: string | null;
}

export const MAX_ADDRESSES = 32;
export const MAX_TTL = 86_400;

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/;

export function isHostname(value: string): boolean {
  return HOSTNAME.test(value.toLowerCase());
}

export function isUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

interface Target {
  cname: string | null;
  addresses: string[];
  url: string | null;
}

/** Interprets a target given with respond(): an address, a list of addresses, a host name or a URL; null when it is none of these. */
export function parseTarget(target: string | string[]): Target | null {
  if (Array.isArray(target)) {
    if (target.length === 0 || target.length > MAX_ADDRESSES) return null;
    const addresses: string[] = [];
    for (const t of target) {
      if (!ipaddr.isValid(t)) return null;
      addresses.push(ipaddr.parse(t).toString());
    }
    return { cname: null, addresses, url: null };
  }
  if (ipaddr.isValid(target)) return { cname: null, addresses: [ipaddr.parse(target).toString()], url: null };
  if (isUrl(target)) return { cname: null, addresses: [], url: target };
  if (isHostname(target)) return { cname: target.toLowerCase().replace(/\.$/, ''), addresses: [], url: null };
  return null;
}

function providerTarget(provider: AppProvider): Target {
  return { cname: provider.cname, addresses: provider.addresses, url: provider.url };
}

function hasTarget(t: Target): boolean {
  return t.cname !== null || t.addresses.length > 0 || t.url !== null;
}

export interface DecisionContext {
  providers: readonly AppProvider[];
  fallback: AppFallback;
  /** The version's default TTL. */
  ttl: number;
}

function defaultRanking(first: string | null, providers: readonly AppProvider[]): string[] {
  const ids = providers.map((p) => p.id);
  return first ? [first, ...ids.filter((id) => id !== first)] : ids;
}

/** The fallback answer of an app version, with the reason it was used. */
export function fallbackDecision(ctx: DecisionContext, reason: string, error: string | null): Decision {
  const provider = ctx.providers.find((p) => p.id === ctx.fallback.provider);
  const target = ctx.fallback.target !== undefined ? parseTarget(ctx.fallback.target) : provider ? providerTarget(provider) : null;
  const ttl = clampTtl(ctx.fallback.ttl ?? ctx.ttl);
  if (!target || !hasTarget(target)) {
    return { provider: null, cname: null, addresses: [], url: null, ttl, reason, fallback: true, ranking: defaultRanking(null, ctx.providers), error: error ?? 'the fallback names no usable target' };
  }
  return { provider: ctx.fallback.provider, ...target, ttl, reason, fallback: true, ranking: defaultRanking(ctx.fallback.provider, ctx.providers), error };
}

function clampTtl(ttl: number): number {
  if (!Number.isFinite(ttl)) return 0;
  return Math.max(0, Math.min(MAX_TTL, Math.floor(ttl)));
}

/** What the app's answer means, or why it is unusable. */
export function checkAnswer(answer: AppAnswer, ctx: DecisionContext): { decision: Decision } | { invalid: string } {
  if (!answer.answered) return { invalid: 'onRequest returned without calling response.respond()' };
  const provider = ctx.providers.find((p) => p.id === answer.provider);
  if (!provider) return { invalid: `respond() named '${String(answer.provider).slice(0, 64)}', which is not one of the app's providers (${ctx.providers.map((p) => p.id).join(', ')})` };
  let target: Target | null;
  if (answer.target === undefined) {
    target = providerTarget(provider);
    if (!hasTarget(target)) return { invalid: `provider '${provider.id}' has no CNAME, address or URL and respond() gave no target` };
  } else {
    target = parseTarget(answer.target);
    if (!target) return { invalid: `respond() target ${JSON.stringify(answer.target).slice(0, 120)} is not a host name, an address, a list of at most ${MAX_ADDRESSES} addresses or a URL` };
  }
  let ttl = ctx.ttl;
  if (answer.ttl !== undefined && answer.ttl !== null) {
    if (typeof answer.ttl !== 'number' || !Number.isFinite(answer.ttl) || answer.ttl < 0 || answer.ttl > MAX_TTL) return { invalid: `setTTL(${String(answer.ttl)}) is not a number of seconds from 0 to ${MAX_TTL}` };
    ttl = Math.floor(answer.ttl);
  }
  let reason = UNSPECIFIED_REASON;
  if (answer.reason !== undefined && answer.reason !== null) {
    if (typeof answer.reason !== 'string' || !REASON_PATTERN.test(answer.reason)) return { invalid: `setReasonCode(${JSON.stringify(answer.reason).slice(0, 80)}) is not 1-64 of [A-Za-z0-9_.:-]` };
    if (answer.reason.startsWith('app_')) return { invalid: `reason codes starting with "app_" are reserved for the gateway (${answer.reason})` };
    reason = answer.reason;
  }
  let ranking = defaultRanking(provider.id, ctx.providers);
  if (Array.isArray(answer.ranking)) {
    const known = new Set(ctx.providers.map((p) => p.id));
    const given = [...new Set(answer.ranking.filter((id) => known.has(id)))];
    ranking = [...given, ...ranking.filter((id) => !given.includes(id))];
  }
  return { decision: { provider: provider.id, ...target, ttl, reason, fallback: false, ranking, error: null } };
}

/** The decision for a sandbox outcome: the app's answer when it checks out, else the fallback. */
export function decide(outcome: RunOutcome, ctx: DecisionContext): Decision {
  if (!outcome.ok) return fallbackDecision(ctx, outcome.reason, outcome.error);
  const checked = checkAnswer(outcome.answer, ctx);
  if ('invalid' in checked) {
    const reason = outcome.answer.answered ? reasonCodes.invalidAnswer : reasonCodes.noAnswer;
    return fallbackDecision(ctx, reason, checked.invalid);
  }
  return checked.decision;
}
