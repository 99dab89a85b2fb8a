import WebSocket from 'ws';
import { clickhouseTables } from '@vane/analytics';
import { physicalTopic, valueSubjectOf, createKafka } from '@vane/topics';
import { createNamespace, eventually, randomName, type TestNamespace } from '@vane/test-support/fixtures';
import { clickhouseQuery, startGateway, type RunningGateway } from '../src/server';

const SITE = 'site-a';
const OTHER = 'site-b';
const KEY_A = 'rk_aaaaaaaaaaaaaaaa';
const KEY_B = 'rk_bbbbbbbbbbbbbbbb';

function minute(siteId: string, windowStart: number, pageviews: number) {
  return {
    siteId,
    windowStart,
    pageviews,
    visitors: pageviews,
    sessions: pageviews,
    bounces: 0,
    vitalsP75: { lcp: null, inp: null, cls: null, fcp: null, ttfb: null },
    topPaths: [{ path: '/', count: pageviews }],
    modelVersion: 'v1',
  };
}

interface Client {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<void>;
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

const subscribe = (c: Client, siteId: string, readKey: string, id = 'sub1') => c.ws.send(JSON.stringify({ type: 'subscribe', v: 1, id, siteId, readKey, streams: ['model'] }));

describe('realtime gateway: websocket model stream and Stats API over the real stack', () => {
  let ns: TestNamespace;
  let gateway: RunningGateway;
  const database = randomName('t_rt_');
  let sql: (q: string) => Promise<Record<string, unknown>[]>;
  const base = Date.UTC(2026, 0, 15, 10, 0);

  beforeAll(async () => {
    ns = await createNamespace();
    sql = clickhouseQuery(ns.connections.clickhouseUrl);
    const run = async (q: string) => {
      const res = await fetch(ns.connections.clickhouseUrl, { method: 'POST', body: q });
      if (!res.ok) throw new Error(await res.text());
    };
    await run(`CREATE DATABASE IF NOT EXISTS ${database}`);
    for (const t of clickhouseTables) for (const ddl of t.ddl) await run(ddl.replaceAll('{database}', database).replaceAll('{table}', t.table));
    // Sessions and events of two sites, inserted directly.
    const sessions: string[] = [];
    const events: string[] = [];
    const at = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    for (let i = 0; i < 12; i++) {
      const site = i % 4 === 3 ? OTHER : SITE;
      const start = base + i * 60_000;
      const pages = 1 + (i % 3);
      sessions.push(JSON.stringify({ site_id: site, session_id: `s${i}`, visitor_id: `v${i % 5}`, opened_time: at(start), start_time: at(start), end_time: at(start + pages * 30_000), start_ms: start, end_ms: start + pages * 30_000, duration_ms: pages * 30_000, pageviews: pages, events: pages, is_bounce: pages === 1 ? 1 : 0, entry_page: '/', exit_page: `/p${pages}`, country: i % 2 ? 'DE' : 'FR', deleted: 0, version: 1 }));
      for (let p = 0; p < pages; p++) events.push(JSON.stringify({ site_id: site, timestamp: at(start + p * 30_000), event_ms: start + p * 30_000, event_id: `e${i}-${p}`, source: 'beacon', kind: 'pageview', name: 'pageview', visitor_id: `v${i % 5}`, session_id: `s${i}`, pathname: p === 0 ? '/' : `/p${p + 1}`, source_topic: 'x', source_partition: 0, source_offset: i * 10 + p }));
    }
    await run(`INSERT INTO ${database}.sessions FORMAT JSONEachRow\n${sessions.join('\n')}`);
    await run(`INSERT INTO ${database}.events FORMAT JSONEachRow\n${events.join('\n')}`);

    // Two model minutes already on models.sites.v1 before the gateway starts.
    const producer = createKafka(ns.connections, 'test').producer();
    await producer.connect();
    const subject = valueSubjectOf('models.sites.v1', ns.naming);
    await producer.send({ topic: physicalTopic('models.sites.v1', ns.naming), messages: [
      { key: SITE, value: await ns.codec.encode(subject, minute(SITE, base, 3)) },
      { key: OTHER, value: await ns.codec.encode(subject, minute(OTHER, base, 9)) },
    ] });
    await producer.disconnect();

    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      connections: { ...ns.connections, clickhouseDatabase: database },
      naming: ns.naming,
      readKeys: new Map([[KEY_A, SITE], [KEY_B, OTHER]]),
      logLevel: 'silent',
      fanOut: { maxQueuedBytes: 1024 * 1024 },
      log: () => undefined,
    });
    await eventually('the consumer read the existing model', async () => (gateway.stats().published >= 2 ? true : undefined), 60_000);
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await fetch(ns.connections.clickhouseUrl, { method: 'POST', body: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ns?.cleanup();
  });

  it('/healthz says ok once the consumer joined', async () => {
    const res = await fetch(`${gateway.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', degraded: [] });
  });

  it('a subscriber gets the current model, then a delta produced on models.sites.v1', async () => {
    const c = await connect(gateway.url);
    subscribe(c, SITE, KEY_A);
    await eventually('model', async () => (c.messages.some((m) => m.type === 'model') ? true : undefined), 10_000);
    const model = c.messages.find((m) => m.type === 'model') as { minutes: { siteId: string; pageviews: number }[] };
    expect(model.minutes.map((m) => [m.siteId, m.pageviews])).toEqual([[SITE, 3]]);

    const producer = createKafka(ns.connections, 'test').producer();
    await producer.connect();
    await producer.send({ topic: physicalTopic('models.sites.v1', ns.naming), messages: [
      { key: OTHER, value: await ns.codec.encode(valueSubjectOf('models.sites.v1', ns.naming), minute(OTHER, base + 60_000, 1)) },
      { key: SITE, value: await ns.codec.encode(valueSubjectOf('models.sites.v1', ns.naming), minute(SITE, base + 60_000, 5)) },
    ] });
    await producer.disconnect();
    const delta = (await eventually('delta', async () => c.messages.find((m) => m.type === 'delta'), 30_000)) as { siteId: string; seq: number; minutes: { pageviews: number; windowStart: number }[] };
    expect(delta.siteId).toBe(SITE);
    expect(delta.minutes[0]).toMatchObject({ pageviews: 5, windowStart: base + 60_000 });
    // Only this site's deltas reach this subscriber.
    expect(c.messages.filter((m) => m.type === 'delta').every((m) => m.siteId === SITE)).toBe(true);
    c.ws.close();
  }, 60_000);

  it("another site's read key gets an error and no model", async () => {
    const c = await connect(gateway.url);
    subscribe(c, SITE, KEY_B);
    const error = await eventually('error', async () => c.messages.find((m) => m.type === 'error'), 10_000);
    expect(error).toMatchObject({ code: 'VANE_ERR_NOT_FOUND' });
    gateway.publishModel(minute(SITE, base + 120_000, 1));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages.filter((m) => m.type === 'model' || m.type === 'delta')).toEqual([]);
    c.ws.close();
  });

  it('a slow subscriber is dropped with a reason; a fast one keeps every delta', async () => {
    const fast = await connect(gateway.url);
    const slow = await connect(gateway.url);
    subscribe(fast, SITE, KEY_A, 'fast');
    subscribe(slow, SITE, KEY_A, 'slow');
    await eventually('both subscribed', async () => (fast.messages.some((m) => m.type === 'model') && slow.messages.some((m) => m.type === 'model') ? true : undefined), 10_000);
    const rawSocket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    rawSocket.pause();
    const padding = 'x'.repeat(100_000);
    const before = fast.messages.length;
    for (let i = 0; i < 60; i++) {
      gateway.publishModel({ ...minute(SITE, base + (10 + i) * 60_000, i), padding });
      await new Promise((r) => setTimeout(r, 5));
    }
    await eventually('dropped counted', async () => (Object.values(gateway.stats().dropped).reduce((a, b) => a + b, 0) > 0 ? true : undefined), 10_000);
    rawSocket.resume();
    await slow.closed;
    const last = slow.messages[slow.messages.length - 1];
    expect(last).toMatchObject({ type: 'dropped' });
    expect(['slow_consumer', 'queue_bytes']).toContain(last.reason);
    await eventually('fast got all 60', async () => (fast.messages.length - before >= 60 ? true : undefined), 20_000);
    expect(fast.messages.slice(before).filter((m) => m.type === 'delta')).toHaveLength(60);
    fast.ws.close();
  }, 60_000);

  const query = (body: unknown, key: string | null = KEY_A) =>
    fetch(`${gateway.url}/api/v2/query`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body) });
  const range = ['2026-01-15', '2026-01-15'];

  it('Stats API aggregates equal SQL counts on the same rows', async () => {
    const res = await query({ site_id: SITE, metrics: ['visitors', 'visits', 'pageviews', 'bounce_rate'], date_range: range });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { metrics: number[] }[] };
    const [s] = await sql(`SELECT uniqExact(visitor_id) AS visitors, count() AS visits, sum(is_bounce) AS bounces FROM ${database}.sessions FINAL WHERE site_id = '${SITE}' AND deleted = 0`);
    const [e] = await sql(`SELECT count() AS pageviews FROM ${database}.events FINAL WHERE site_id = '${SITE}' AND kind = 'pageview'`);
    const [visitors, visits, pageviews, bounceRate] = body.results[0].metrics;
    expect([visitors, visits, pageviews]).toEqual([Number(s.visitors), Number(s.visits), Number(e.pageviews)]);
    expect(visits).toBe(9);
    expect(bounceRate).toBeCloseTo((100 * Number(s.bounces)) / Number(s.visits), 0);
  });

  it('Stats API by country equals SQL group by', async () => {
    const res = await query({ site_id: SITE, metrics: ['visits'], date_range: range, dimensions: ['visit:country'] });
    const body = (await res.json()) as { results: { metrics: number[]; dimensions: string[] }[] };
    const rows = await sql(`SELECT country, count() AS visits FROM ${database}.sessions FINAL WHERE site_id = '${SITE}' AND deleted = 0 GROUP BY country`);
    const fromSql = Object.fromEntries(rows.map((r) => [String(r.country), Number(r.visits)]));
    expect(Object.fromEntries(body.results.map((r) => [r.dimensions[0], r.metrics[0]]))).toEqual(fromSql);
  });

  it("400 names an unknown metric; another site's key or no key gets 404", async () => {
    const bad = await query({ site_id: SITE, metrics: ['visitors', 'bounces'], date_range: range });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('Unknown metric \\"bounces\\"');
    expect((await query({ site_id: SITE, metrics: ['visitors'], date_range: range }, KEY_B)).status).toBe(404);
    expect((await query({ site_id: SITE, metrics: ['visitors'], date_range: range }, null)).status).toBe(404);
    const viaParam = await fetch(`${gateway.url}/api/v2/query?key=${KEY_B}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site_id: OTHER, metrics: ['visits'], date_range: range }) });
    expect(viaParam.status).toBe(200);
    expect(((await viaParam.json()) as { results: { metrics: number[] }[] }).results[0].metrics).toEqual([3]);
  });
});
