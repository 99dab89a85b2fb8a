import { Packet } from 'dns2';
import ipaddr from 'ipaddr.js';
import type { WireOpt } from './wire-check';

/**
 * Query-side helpers: type mnemonics (dns2's table) and the checks of OPT
 * and ECS (RFC 6891, RFC 7871) past the structure wire-check.ts walks;
 * answers are written by dns-writer.ts.
 */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, OPT: 41, ANY: 255 } as const;
export const CLASS_IN = 1;

const NAMES = new Map<number, string>(Object.entries(Packet.TYPE).map(([name, n]) => [n as number, name === 'EDNS' ? 'OPT' : name]));
NAMES.set(64, 'SVCB');
NAMES.set(65, 'HTTPS');
NAMES.set(43, 'DS');
NAMES.set(46, 'RRSIG');

/** Mnemonic of a query type ("A", "AAAA", "HTTPS", or "TYPE<n>"). */
export function typeName(type: number): string {
  return NAMES.get(type) ?? `TYPE${type}`;
}

/** The client subnet of a query, as the gateway uses it. */
export interface ClientSubnet {
  family: 1 | 2;
  /** Address with the bits past the source prefix zero. */
  address: string;
  sourcePrefix: number;
}

export interface QueryCheck {
  /** An rcode to answer at once (NOTIMP, BADVERS…), or null when the query is fine. */
  rcode: number | null;
  /** Why (for counters and logs). */
  problem: string | null;
  opt: WireOpt | null;
  ecs: ClientSubnet | null;
}

/** Whether a query (already walked by checkWire) is answerable, and its client subnet. */
export function checkQuery(opcode: number, opt: WireOpt | null): QueryCheck {
  const fail = (rcode: number, problem: string): QueryCheck => ({ rcode, problem, opt, ecs: null });
  if (opcode !== 0) return fail(RCODE.NOTIMP, `opcode ${opcode}`);
  if (opt && opt.version > 0) return fail(RCODE.BADVERS, `EDNS version ${opt.version}`);
  let ecs: ClientSubnet | null = null;
  if (opt?.ecs) {
    const address = opt.ecs.family === 1 ? ipaddr.fromByteArray(opt.ecs.address.slice(0, 4)) : ipaddr.fromByteArray(opt.ecs.address);
    ecs = { family: opt.ecs.family, address: address.toString(), sourcePrefix: opt.ecs.sourcePrefix };
  }
  return { rcode: null, problem: null, opt, ecs };
}

/** Most bytes a UDP answer may have: 512 without EDNS, else the requestor's size within [512, ours]. */
export function udpLimit(opt: WireOpt | null, ours: number): number {
  if (!opt) return 512;
  return Math.max(512, Math.min(opt.udpPayloadSize || 512, ours));
}

/** The ECS option of an answer: the query's, with the SCOPE PREFIX-LENGTH the answer holds for. */
export interface EcsEcho {
  family: number;
  sourcePrefix: number;
  scopePrefix: number;
  address: string;
}

export function ecsEcho(subnet: ClientSubnet | null, scopePrefix: number): EcsEcho | null {
  return subnet ? { family: subnet.family, sourcePrefix: subnet.sourcePrefix, scopePrefix, address: subnet.address } : null;
}
