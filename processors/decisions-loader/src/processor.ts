import { defineProcessor, type ClickhouseOutput, type SourceRecord } from '@vane/runtime';
import type { DnsDecision, HttpDecision, Network, ScoreSeen } from '@vane/schemas';
import { DECISIONS_TABLE, decisionsTable } from './decisions-table';
import { decisionsLoaderOptions } from './options';

/** ClickHouse DateTime literal (UTC) of an epoch-ms instant: accepted by every release from 18.16 on. */
export function clickhouseDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function geo(network: Network | null): { ip: string; country: string; continent: string; region: string; asn: number; asnOrg: string } {
  return {
    ip: network?.truncatedIp ?? '',
    country: network?.country ?? '',
    continent: network?.continent ?? '',
    region: network?.region ?? '',
    asn: network?.asn ?? 0,
    asnOrg: network?.asnOrg ?? '',
  };
}

function scores(seen: readonly ScoreSeen[]): Record<string, unknown> {
  return {
    scores_provider: seen.map((s) => s.provider),
    scores_level: seen.map((s) => s.level),
    scores_rtt_p50: seen.map((s) => s.rttP50),
    scores_availability: seen.map((s) => s.availability),
  };
}

type Common = Pick<DnsDecision, 'decisionId' | 'at' | 'tenantId' | 'appId' | 'appVersion' | 'client' | 'scoresSeen' | 'answerProvider' | 'answerTarget' | 'ttl' | 'reasonCode' | 'fallback' | 'durationMicros'>;

function row(d: Common, record: SourceRecord, specific: Record<string, unknown>): ClickhouseOutput {
  const client = geo(d.client);
  return {
    kind: 'clickhouse',
    table: DECISIONS_TABLE,
    row: {
      decision_id: d.decisionId,
      at: clickhouseDateTime(d.at),
      at_ms: d.at,
      tenant_id: d.tenantId,
      app_id: d.appId,
      app_version: d.appVersion,
      client_ip: client.ip,
      country: client.country,
      continent: client.continent,
      region: client.region,
      asn: client.asn,
      asn_org: client.asnOrg,
      ...scores(d.scoresSeen),
      answer_provider: d.answerProvider ?? '',
      answer_target: d.answerTarget ?? '',
      ttl: d.ttl,
      reason_code: d.reasonCode,
      fallback: d.fallback ? 1 : 0,
      duration_us: d.durationMicros,
      source_partition: record.partition,
      source_offset: record.offset,
      ...specific,
    },
  };
}

export function dnsRow(d: DnsDecision, record: SourceRecord): ClickhouseOutput {
  const resolver = geo(d.resolver);
  return row(d, record, {
    protocol: 'dns',
    hostname: d.qname,
    qtype: d.qtype,
    path: '',
    ecs_subnet: d.ecsSubnet ?? '',
    resolver_ip: resolver.ip,
    resolver_country: resolver.country,
    resolver_asn: resolver.asn,
    redirect: 0,
  });
}

export function httpRow(d: HttpDecision, record: SourceRecord): ClickhouseOutput {
  return row(d, record, {
    protocol: 'http',
    hostname: d.hostname,
    qtype: '',
    path: d.path,
    ecs_subnet: '',
    resolver_ip: '',
    resolver_country: '',
    resolver_asn: 0,
    redirect: d.redirect ? 1 : 0,
  });
}

/** Loads decisions.dns.v1 into the ClickHouse table decisions (protocol "dns"). */
export const dnsDecisionsLoader = defineProcessor({
  name: 'decisions-dns-loader',
  description: 'loads decisions.dns.v1 into the ClickHouse table decisions',
  input: 'decisions.dns.v1',
  outputs: [{ kind: 'clickhouse', table: DECISIONS_TABLE }],
  options: decisionsLoaderOptions,
  clickhouseTables: [decisionsTable],
  process: (decision, ctx) => dnsRow(decision, ctx.record),
});

/** Loads decisions.http.v1 into the ClickHouse table decisions (protocol "http"). */
export const httpDecisionsLoader = defineProcessor({
  name: 'decisions-http-loader',
  description: 'loads decisions.http.v1 into the ClickHouse table decisions',
  input: 'decisions.http.v1',
  outputs: [{ kind: 'clickhouse', table: DECISIONS_TABLE }],
  options: decisionsLoaderOptions,
  clickhouseTables: [decisionsTable],
  process: (decision, ctx) => httpRow(decision, ctx.record),
});
