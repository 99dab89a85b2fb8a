import { createSocket } from 'node:dgram';
import type { ClickHouseClient } from '@clickhouse/client';
import { ProcessorRuntime, createClickhouseClient } from '@vane/runtime';
import { dnsDecisionsLoader, httpDecisionsLoader } from '../src/processor';
import { startDecisionGateways, type DecisionGateways } from '@vane/test-support/decision-gateways';
import { RoutingStack } from '@vane/test-support/routing-stack';
import { parse, query } from '@vane/test-support/dns-queries';
import { createNamespace, eventually, randomName, type TestNamespace } from '@vane/test-support/fixtures';
import { analystQueries } from './analyst-queries';

interface Row {
  decision_id: string;
  protocol: string;
  hostname: string;
  qtype: string;
  path: string;
  client_ip: string;
  country: string;
  ecs_subnet: string;
  answer_provider: string;
  answer_target: string;
  reason_code: string;
  fallback: number;
  redirect: number;
  app_version: string;
  ttl: number;
}

describe('decision logs: DNS and HTTP answers end up in ClickHouse as given', () => {
  let ns: TestNamespace;
  let stack: RoutingStack;
  let gateways: DecisionGateways;
  let dns: DecisionGateways['dns'];
  let decide: DecisionGateways['decide'];
  let ch: ClickHouseClient;
  const runtimes: { stop(): Promise<void> }[] = [];
  const database = randomName('t_');

  beforeAll(async () => {
    ns = await createNamespace();
    stack = await RoutingStack.start(ns);
    gateways = await startDecisionGateways(stack);
    ({ dns, decide } = gateways);
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    for (const r of runtimes) await r.stop();
    await gateways?.close();
    await stack?.close();
    await ch?.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch?.close();
    await ns?.cleanup();
  });

  async function startLoaders(groupSuffix: string): Promise<void> {
    const options = (name: string) => ({
      connections: { ...ns.connections, clickhouseDatabase: database },
      naming: ns.naming,
      groupId: `${ns.naming.prefix}${name}${groupSuffix}`,
      log: () => undefined,
    });
    const dnsLoader = new ProcessorRuntime(dnsDecisionsLoader, options(dnsDecisionsLoader.name));
    const httpLoader = new ProcessorRuntime(httpDecisionsLoader, options(httpDecisionsLoader.name));
    for (const runtime of [dnsLoader, httpLoader]) {
      await runtime.start();
      runtimes.push(runtime);
    }
  }

  async function rows(final: boolean): Promise<Row[]> {
    const result = await ch.query({ query: `SELECT * FROM ${database}.decisions ${final ? 'FINAL' : ''} ORDER BY at_ms, decision_id`, format: 'JSONEachRow' });
    return (await result.json()) as Row[];
  }

  async function dnsAsk(name: string, ecs?: string): Promise<string | null> {
    const socket = createSocket('udp4');
    try {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        socket.once('message', resolve);
        socket.once('error', reject);
        socket.send(query(name, { ecs, id: Math.floor(Math.random() * 65535) }), dns.listener.port, '127.0.0.1');
        setTimeout(() => reject(new Error(`no DNS answer for ${name}`)), 5000).unref();
      });
      return parse(reply).answers[0]?.domain ?? null;
    } finally {
      socket.close();
    }
  }

  it('records every answer, idempotently across a replay, and the analysts\' queries run', async () => {
    const dnsAnswers: { hostname: string; ecs: string; target: string | null }[] = [];
    for (const [hostname, ecs] of [
      ['www.acme-cdn.example', '62.155.1.0/24'],
      ['www.acme-cdn.example', '8.8.8.0/24'],
      ['a.img.acme-cdn.example', '62.155.1.0/24'],
      ['b.img.acme-cdn.example', '8.8.8.0/24'],
    ] as const) {
      dnsAnswers.push({ hostname, ecs, target: await dnsAsk(hostname, ecs) });
    }
    expect(dnsAnswers.map((a) => a.target)).toEqual(['acme.cdn-a.net', 'acme.cdn-b.net', 'acme.cdn-a.net', 'acme.cdn-b.net']);

    const httpAnswers: { decisionId: string; provider: string; url: string; country: string; redirect: boolean }[] = [];
    for (const [ip, redirect] of [['62.155.1.10', false], ['8.8.8.8', true], ['8.8.4.4', false]] as const) {
      const res = await fetch(`${decide.url}/v1/decide/acme.video?ip=${ip}&path=/v/1.mp4${redirect ? '&redirect=1' : ''}`, { redirect: 'manual' });
      const decisionId = res.headers.get('x-vane-decision')!;
      if (redirect) {
        expect(res.status).toBe(302);
        httpAnswers.push({ decisionId, provider: res.headers.get('x-vane-provider')!, url: res.headers.get('location')!, country: 'US', redirect: true });
      } else {
        const body = (await res.json()) as { provider: string; url: string; client: { country: string } };
        httpAnswers.push({ decisionId, provider: body.provider, url: body.url, country: body.client.country, redirect: false });
      }
    }

    await startLoaders('');
    const loaded = await eventually('7 decisions in ClickHouse', async () => {
      const r = await rows(true).catch(() => []);
      return r.length >= 7 ? r : undefined;
    }, 90_000, 500);
    expect(loaded).toHaveLength(7);

    for (const a of dnsAnswers) {
      const row = loaded.find((r) => r.protocol === 'dns' && r.hostname === a.hostname && r.ecs_subnet === a.ecs);
      expect(row).toMatchObject({ qtype: 'A', answer_target: a.target, answer_provider: a.target!.split('.')[1], app_version: '1', reason_code: 'best_rtt', fallback: 0, client_ip: a.ecs, ttl: 30 });
    }
    for (const a of httpAnswers) {
      const row = loaded.find((r) => r.decision_id === a.decisionId);
      expect(row).toMatchObject({ protocol: 'http', path: '/v/1.mp4', answer_provider: a.provider, answer_target: a.url, country: a.country, redirect: a.redirect ? 1 : 0, fallback: 0 });
    }

    // A replay (a new consumer group reading from the start) leaves one row per decision.
    await startLoaders('-replay');
    await eventually('the replayed rows to arrive', async () => ((await rows(false)).length >= 14 ? true : undefined), 90_000, 500);
    expect(await rows(true)).toHaveLength(7);

    const results: Record<string, unknown[]> = {};
    for (const [name, sql] of Object.entries(analystQueries)) {
      const result = await ch.query({ query: sql.replaceAll('{db}', database), format: 'JSONEachRow' });
      results[name] = (await result.json()) as unknown[];
    }
    expect(results.fallbackRatePerVersion).toEqual([{ app_id: 'acme.video', app_version: '1', decisions: '7', fallbacks: '0', fallback_rate: 0 }]);
    const perCountry = results.perProviderCountryHour as { country: string; provider: string; decisions: string }[];
    expect(perCountry.map((r) => [r.country, r.provider, r.decisions]).sort()).toEqual([
      ['DE', 'cdn-a', '3'],
      ['US', 'cdn-b', '4'],
    ]);
    expect((results.latency as { protocol: string; decisions: string }[]).map((r) => [r.protocol, r.decisions])).toEqual([
      ['dns', '4'],
      ['http', '3'],
    ]);
    expect(results.fallbackReasons).toEqual([]);
    expect((results.scoresSeen as { country: string; provider: string }[]).length).toBeGreaterThan(0);
  });
});
