import type { DnsDecision, HttpDecision } from '@vane/schemas';
import { dnsRow, httpRow } from '../src/processor';

const record = { topic: 'decisions.dns.v1', partition: 2, offset: '41', key: 'acme.video', timestamp: 1 };
const at = Date.UTC(2026, 10, 22, 18, 30, 15, 250);

const dns: DnsDecision = {
  decisionId: '7f0c0f5e-0d7a-4f0e-9d1c-5a1b2c3d4e5f',
  at,
  appId: 'acme.video',
  appVersion: 3,
  tenantId: 'acme',
  qname: 'www.acme-cdn.example',
  qtype: 'A',
  client: { truncatedIp: '62.155.1.0/24', country: 'DE', continent: 'EU', region: null, asn: 3320, asnOrg: 'Deutsche Telekom AG' },
  ecsSubnet: '62.155.1.0/24',
  resolver: { truncatedIp: '8.8.8.0/24', country: 'US', continent: 'NA', region: null, asn: 15169, asnOrg: 'Google LLC' },
  scoresSeen: [
    { provider: 'cdn-a', level: 'country', rttP50: 20, availability: 0.99 },
    { provider: 'cdn-b', level: 'global', rttP50: null, availability: 0.5 },
  ],
  answerProvider: 'cdn-a',
  answerTarget: 'acme.cdn-a.net',
  ttl: 30,
  reasonCode: 'best_rtt',
  fallback: false,
  durationMicros: 180,
};

describe('decision rows for ClickHouse', () => {
  it('maps a DNS decision, unknowns as empty strings and 0, scores as parallel arrays', () => {
    expect(dnsRow(dns, record)).toEqual({
      kind: 'clickhouse',
      table: 'decisions',
      row: {
        decision_id: dns.decisionId,
        protocol: 'dns',
        at: '2026-11-22 18:30:15',
        at_ms: at,
        tenant_id: 'acme',
        app_id: 'acme.video',
        app_version: 3,
        hostname: 'www.acme-cdn.example',
        qtype: 'A',
        path: '',
        client_ip: '62.155.1.0/24',
        country: 'DE',
        continent: 'EU',
        region: '',
        asn: 3320,
        asn_org: 'Deutsche Telekom AG',
        ecs_subnet: '62.155.1.0/24',
        resolver_ip: '8.8.8.0/24',
        resolver_country: 'US',
        resolver_asn: 15169,
        scores_provider: ['cdn-a', 'cdn-b'],
        scores_level: ['country', 'global'],
        scores_rtt_p50: [20, null],
        scores_availability: [0.99, 0.5],
        answer_provider: 'cdn-a',
        answer_target: 'acme.cdn-a.net',
        ttl: 30,
        reason_code: 'best_rtt',
        fallback: 0,
        redirect: 0,
        duration_us: 180,
        source_partition: 2,
        source_offset: '41',
      },
    });
  });

  it('maps an HTTP decision', () => {
    const http: HttpDecision = {
      decisionId: 'a1b2c3d4-0000-4000-8000-000000000001',
      at,
      appId: 'acme.video',
      appVersion: 3,
      tenantId: 'acme',
      hostname: 'www.acme-cdn.example',
      path: '/v/1.mp4',
      client: { truncatedIp: '2003:e1:1234::/48', country: null, continent: null, region: null, asn: null, asnOrg: null },
      scoresSeen: [],
      answerProvider: 'origin',
      answerTarget: 'https://origin.acme.example/v/1.mp4',
      ttl: 20,
      reasonCode: 'app_timeout',
      fallback: true,
      redirect: true,
      durationMicros: 100_250,
    };
    expect(httpRow(http, { ...record, topic: 'decisions.http.v1' }).row).toMatchObject({
      protocol: 'http',
      qtype: '',
      path: '/v/1.mp4',
      client_ip: '2003:e1:1234::/48',
      country: '',
      asn: 0,
      ecs_subnet: '',
      resolver_ip: '',
      scores_provider: [],
      answer_provider: 'origin',
      reason_code: 'app_timeout',
      fallback: 1,
      redirect: 1,
      duration_us: 100_250,
    });
  });
});
