import type { Decision, DecisionResult } from '@vane/apps';
import type { HttpDecision, Network } from '@vane/schemas';

/** Where the HTTP gateway sends the client: the provider's URL (or https://<cname or address>) joined with the path; null when the decision names nothing. */
export function answerUrl(decision: Decision, path: string): string | null {
  let base: string | null = decision.url;
  if (!base && decision.cname) base = `https://${decision.cname}`;
  if (!base && decision.addresses.length > 0) {
    const address = decision.addresses[0]!;
    base = `https://${address.includes(':') ? `[${address}]` : address}`;
  }
  if (!base) return null;
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** The decisions.http.v1 record of one answer. */
export function decisionRecord(
  decisionId: string,
  at: number,
  result: DecisionResult,
  hostname: string,
  path: string,
  client: Network,
  url: string | null,
  redirect: boolean,
  micros: number,
): HttpDecision {
  const { decision } = result;
  return {
    decisionId,
    at,
    appId: result.appId,
    appVersion: result.version,
    tenantId: result.tenantId,
    hostname,
    path,
    client,
    scoresSeen: result.scoresSeen,
    answerProvider: decision.provider,
    answerTarget: url,
    ttl: decision.ttl,
    reasonCode: decision.reason,
    fallback: decision.fallback,
    redirect,
    durationMicros: micros,
  };
}
