import { randomUUID } from 'node:crypto';
import type { AppHost, Decision, DecisionSink } from '@vane/apps';
import { networkOf, type GeoLookup } from '@vane/network';
import type { DnsDecision, Network } from '@vane/schemas';
import { ENTITY_APP, type ConfigState } from '@vane/config-model';
import { CLASS_IN, RCODE, TYPE, checkQuery, ecsEcho, typeName, udpLimit, type EcsEcho, type QueryCheck } from './dns-message';
import { T, encodeResponse, type OptOut, type Owner, type Rr } from './dns-writer';
import { checkWire, formErrFor } from './wire-check';
import { resolveSettings, type DnsSettings, type DnsSettingsInput } from './options';
import { ZoneIndex, type Zone } from './zone-index';

/**
 * The DNS gateway without sockets (server.ts binds dns2's UDP and TCP
 * servers to it): `answer(message, transport, peer)` gives the bytes to
 * send, or null to drop the message.
 *
 * - Authoritative (AA) for the zones of the apps in config.changes.v1; a name
 *   outside them is REFUSED, a name in a zone that nothing answers NXDOMAIN
 *   (SOA in the authority section), an existing name without the asked type
 *   NODATA; SOA and NS at each apex; zone transfers REFUSED.
 * - A, AAAA, CNAME and ANY queries for an app's hostnames run the app with
 *   the network of the EDNS Client Subnet when there is one (RFC 7871: the
 *   answer carries it back with SCOPE PREFIX-LENGTH = the bits used, at most
 *   /24 or /48), else the resolver's.
 * - UDP answers larger than 512 bytes (no EDNS) or the negotiated size come
 *   back truncated (TC) for the client to retry over TCP.
 * - Every message is read by one wire walk (wire-check.ts; dns2's parser is
 *   too slow and too trusting for the hot path): messages without a header
 *   and responses are dropped; a header with a body that is not a
 *   well-formed query (counts, names, records, OPT, ECS) gets FORMERR; other
 *   opcodes NOTIMP; EDNS versions above 0 BADVERS. Answers are written by
 *   dns-writer.ts; the tests decode every one of them with dns2, dig, kdig
 *   and c-ares.
 *
 * Every app answer becomes a decisions.dns.v1 record pushed to the sink
 * (never awaited).
 */
export interface BuildOptions {
  settings?: DnsSettingsInput;
  config: ConfigState;
  host: AppHost;
  geo: GeoLookup;
  sink: DecisionSink<'decisions.dns.v1'>;
  now?: () => number;
}

export type Transport = 'udp' | 'tcp';

export interface DnsStats {
  queries: number;
  answered: Record<string, number>;
  dropped: number;
  truncated: number;
  decisions: number;
  fallbacks: number;
}

/** A well-formed query for one of an app's hostnames, as answer() read it. */
interface AppQuery {
  message: Buffer;
  /** Where the question ends in message (the answer copies the header and question). */
  questionEnd: number;
  transport: Transport;
  /** The resolver's address. */
  peer: string;
  check: QueryCheck;
  zone: Zone;
  appId: string;
  /** The question name, lower case. */
  qname: string;
  qtype: number;
  /** process.hrtime.bigint() when the message arrived (the decision's duration). */
  started: bigint;
}

const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 16: 'BADVERS' };

export class DnsGateway {
  readonly settings: DnsSettings;
  readonly zones: ZoneIndex;
  private readonly counters: DnsStats = { queries: 0, answered: {}, dropped: 0, truncated: 0, decisions: 0, fallbacks: 0 };
  private readonly now: () => number;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: BuildOptions) {
    this.settings = resolveSettings(options.settings);
    this.now = options.now ?? Date.now;
    this.zones = new ZoneIndex(options.config);
    this.zones.rebuild();
    this.unsubscribe = options.config.onChange((entity) => {
      if (entity.entityType === ENTITY_APP) this.zones.rebuild();
    });
  }

  stats(): DnsStats {
    return { ...this.counters, answered: { ...this.counters.answered } };
  }

  close(): void {
    this.unsubscribe();
  }

  private count(rcode: number): void {
    const name = RCODE_NAMES[rcode] ?? String(rcode);
    this.counters.answered[name] = (this.counters.answered[name] ?? 0) + 1;
  }

  /** The bytes answering a query message, or null to send nothing. */
  async answer(message: Buffer, transport: Transport, peer: string): Promise<Buffer | null> {
    const started = process.hrtime.bigint();
    this.counters.queries++;
    const verdict = checkWire(message);
    if (verdict.kind === 'drop') {
      this.counters.dropped++;
      return null;
    }
    if (verdict.kind === 'formerr') {
      this.count(RCODE.FORMERR);
      return formErrFor(message);
    }
    const check = checkQuery(verdict.opcode, verdict.opt);
    const reply = (rcode: number, aa: boolean, answers: Rr[], authorities: Rr[], ecs: EcsEcho | null): Buffer => {
      this.count(rcode);
      return this.send({ message, questionEnd: verdict.questionEnd, rcode, aa, answers, authorities, check, ecs }, transport);
    };
    if (check.rcode !== null) {
      if (check.rcode === RCODE.FORMERR) {
        this.count(RCODE.FORMERR);
        return formErrFor(message);
      }
      return reply(check.rcode, false, [], [], null);
    }
    const { question } = verdict;
    const qname = question.name.toLowerCase();
    const zoneMatch = question.class === CLASS_IN ? this.zones.lookup(qname) : null;
    // The ECS option comes back with scope 0 unless the answer depends on the client.
    // Zone transfers (IXFR 251, AXFR 252) are not served: the zones are the apps'.
    if (!zoneMatch || question.type === 251 || question.type === 252) return reply(RCODE.REFUSED, false, [], [], ecsEcho(check.ecs, 0));
    const { zone } = zoneMatch;
    const qtype = question.type;
    const wantsAppAnswer = qtype === TYPE.A || qtype === TYPE.AAAA || qtype === TYPE.CNAME || qtype === TYPE.ANY;
    if (zoneMatch.kind === 'app' && wantsAppAnswer && !(zoneMatch.apex && qtype === TYPE.ANY)) {
      return this.answerFromApp({ message, questionEnd: verdict.questionEnd, transport, peer, check, zone, appId: zoneMatch.appId, qname, qtype, started });
    }
    const apex = zoneMatch.kind === 'apex' || (zoneMatch.kind === 'app' && zoneMatch.apex);
    const answers: Rr[] = [];
    if (apex && (qtype === TYPE.SOA || qtype === TYPE.ANY)) answers.push(this.soa(zone, { query: true }, this.settings.zoneTtl));
    if (apex && (qtype === TYPE.NS || qtype === TYPE.ANY)) answers.push(...this.ns({ query: true }));
    const rcode = zoneMatch.kind === 'nxdomain' ? RCODE.NXDOMAIN : RCODE.NOERROR;
    return reply(rcode, true, answers, answers.length === 0 ? [this.negativeSoa(zone, qname)] : [], ecsEcho(check.ecs, 0));
  }

  private async answerFromApp(query: AppQuery): Promise<Buffer | null> {
    const { message, questionEnd, transport, peer, check, zone, appId, qname, qtype, started } = query;
    const at = this.now();
    const { geo } = this.options;
    const resolver = networkOf(geo, peer);
    const ecs = check.ecs;
    // SOURCE PREFIX-LENGTH 0: the resolver asks us not to use the client's address (RFC 7871 §7.1.2).
    const useEcs = ecs !== null && ecs.sourcePrefix > 0;
    const client: Network = useEcs ? networkOf(geo, ecs.address, ecs.sourcePrefix) : resolver;
    const scope = useEcs ? Number(client.truncatedIp.split('/')[1]) : 0;
    const qtypeName = typeName(qtype);
    const outcome = await this.options.host.decide(appId, {
      protocol: 'dns',
      hostname: qname,
      qtype: qtypeName,
      path: null,
      client,
      resolver,
      ecs: useEcs ? { subnet: client.truncatedIp, sourcePrefix: ecs.sourcePrefix } : null,
      now: at,
    });
    const base = { message, questionEnd, check };
    if (!outcome.ok || outcome.result.decision.provider === null) {
      this.count(RCODE.SERVFAIL);
      return this.send({ ...base, rcode: RCODE.SERVFAIL, aa: true, answers: [], authorities: [], ecs: ecsEcho(ecs, 0) }, transport);
    }
    const { decision } = outcome.result;
    const records = this.records(decision, qtype, zone.name === qname);
    this.count(RCODE.NOERROR);
    const bytes = this.send(
      { ...base, rcode: RCODE.NOERROR, aa: true, answers: records.answers, authorities: records.answers.length === 0 ? [this.negativeSoa(zone, qname)] : [], ecs: ecsEcho(ecs, useEcs ? scope : 0) },
      transport,
    );
    const micros = Number((process.hrtime.bigint() - started) / 1000n);
    this.counters.decisions++;
    if (decision.fallback) this.counters.fallbacks++;
    const record: DnsDecision = {
      decisionId: randomUUID(),
      at,
      appId,
      appVersion: outcome.result.version,
      tenantId: outcome.result.tenantId,
      qname,
      qtype: qtypeName,
      client,
      ecsSubnet: useEcs ? client.truncatedIp : null,
      resolver,
      scoresSeen: outcome.result.scoresSeen,
      answerProvider: decision.provider,
      answerTarget: records.target,
      ttl: decision.ttl,
      reasonCode: decision.reason,
      fallback: decision.fallback,
      durationMicros: micros,
    };
    this.options.sink.push(appId, record);
    return bytes;
  }

  /**
   * The records of a decision for a query type: the CNAME when the decision
   * has one (never at the apex: it would hide the SOA and NS), else the
   * addresses of the family asked; none (NODATA) when there is nothing of it.
   */
  private records(decision: Decision, qtype: number, apex: boolean): { answers: Rr[]; target: string | null } {
    const ttl = decision.ttl;
    const owner: Owner = { query: true };
    if (decision.cname && !apex && (qtype === TYPE.A || qtype === TYPE.AAAA || qtype === TYPE.CNAME || qtype === TYPE.ANY)) {
      return { answers: [{ type: T.CNAME, owner, ttl, target: decision.cname }], target: decision.cname };
    }
    const v4 = qtype === TYPE.A || qtype === TYPE.ANY ? decision.addresses.filter((a) => !a.includes(':')) : [];
    const v6 = qtype === TYPE.AAAA || qtype === TYPE.ANY ? decision.addresses.filter((a) => a.includes(':')) : [];
    const answers: Rr[] = [...v4.map((address): Rr => ({ type: T.A, owner, ttl, address })), ...v6.map((address): Rr => ({ type: T.AAAA, owner, ttl, address }))];
    return { answers, target: answers.length > 0 ? [...v4, ...v6].join(',') : null };
  }

  private soa(zone: Zone, owner: Owner, ttl: number): Rr {
    return {
      type: T.SOA,
      owner,
      ttl,
      mname: this.settings.nameservers[0]!,
      rname: this.settings.hostmaster,
      serial: zone.serial >>> 0,
      refresh: 3600,
      retry: 600,
      expire: 604_800,
      minimum: this.settings.negativeTtl,
    };
  }

  /** The SOA of a negative answer (RFC 2308): owned by the apex, TTL = min(SOA TTL, MINIMUM). */
  private negativeSoa(zone: Zone, qname: string): Rr {
    const below = qname.split('.').length - zone.name.split('.').length;
    return this.soa(zone, { suffixOfQuery: below }, Math.min(this.settings.zoneTtl, this.settings.negativeTtl));
  }

  private ns(owner: Owner): Rr[] {
    return this.settings.nameservers.map((target): Rr => ({ type: T.NS, owner, ttl: this.settings.zoneTtl, target }));
  }

  /** Encodes an answer; over UDP, one larger than the client takes comes back truncated (TC) for it to retry over TCP. */
  private send(
    r: { message: Buffer; questionEnd: number; rcode: number; aa: boolean; answers: Rr[]; authorities: Rr[]; check: QueryCheck; ecs: EcsEcho | null },
    transport: Transport,
  ): Buffer {
    const opt: OptOut | null = r.check.opt ? { udpPayloadSize: this.settings.maxUdpPayload, extendedRcode: r.rcode >>> 4, ecs: r.ecs } : null;
    const spec = { query: r.message, questionEnd: r.questionEnd, aa: r.aa, tc: false, rcode: r.rcode, answers: r.answers, authorities: r.authorities, opt };
    const bytes = encodeResponse(spec);
    if (transport === 'udp' && bytes.length > udpLimit(r.check.opt, this.settings.maxUdpPayload)) {
      this.counters.truncated++;
      return encodeResponse({ ...spec, tc: true });
    }
    return bytes;
  }
}

export function build(options: BuildOptions): DnsGateway {
  return new DnsGateway(options);
}
