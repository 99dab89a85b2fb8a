import { gzipSync } from 'node:zlib';
import type { Beacon, Download, Measurement, ServerLogLine } from '@vane/schemas';
import { createNamespace, eventually, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { runVane } from '@vane/test-support/run-vane';
import { startConfigService, type TestConfigService } from '@vane/test-support/config-service';
import type { SessionPlan } from '../src/routes/session-init';
import { removeDir, startTestGateway, type TestGateway } from './support/gateway';

/**
 * Every endpoint against the real stack: the record lands on its topic and
 * reads back through the registry; sites and keys come from `vane sites
 * create` / `vane keys revoke` through the config service (config.changes.v1).
 */
jest.setTimeout(120_000);

describe('ingest gateway on the local stack', () => {
  let ns: TestNamespace;
  let gw: TestGateway;
  let config: TestConfigService;
  let env: Record<string, string>;
  let site: { siteId: string; key: string; keyId: string };

  beforeAll(async () => {
    ns = await createNamespace();
    config = await startConfigService(ns);
    env = { ...ns.env, ...config.env };
    const created = await runVane(
      ['sites', 'create', 'example.com', '--hostname', 'localhost', '--probe', 'cdn-a:rtt=https://a.example.net/r20.gif', '--probe', 'cdn-b:availability=https://b.example.net/r20.gif'],
      { env },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout.trim().split('\n')).toHaveLength(1);
    site = JSON.parse(created.stdout) as typeof site;
    expect(site.siteId).toMatch(/^site_/);
    expect(site.key).toMatch(/^vk_/);
    gw = await startTestGateway({ connections: ns.connections, naming: ns.naming });
  });

  afterAll(async () => {
    await gw?.stop();
    if (gw) removeDir(gw.spoolDir);
    await config?.close();
    await ns?.cleanup();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? Uint8Array.from(body) : JSON.stringify(body) });

  it('beacons: GET and POST land on ingest.beacons.v1, anonymised, keyed by site', async () => {
    const get = await fetch(`${gw.url}/api/v1/beacon?key=${site.key}&url=${encodeURIComponent('https://example.com/get')}&img=1`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('image/gif');
    const res = await post(`/api/v1/beacon?key=${site.key}`, JSON.stringify({ events: [{ type: 'pageview', url: 'https://www.example.com/post', eventId: '6f0e3c56-8d43-4c1c-9a4b-000000000001' }, { type: 'vital', url: 'https://www.example.com/post', vitals: [{ name: 'TTFB', value: 81 }] }] }), { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' });
    expect(res.status).toBe(204);
    const records = await readAll<Beacon>(ns, topicOf(ns, 'ingest.beacons.v1'), { atLeast: 3 });
    expect(records).toHaveLength(3);
    expect(records.every((r) => r.key === site.siteId)).toBe(true);
    const byPath = new Map(records.map((r) => [`${r.value.type}${r.value.path}`, r.value]));
    expect(byPath.get('pageview/get')).toMatchObject({ siteId: site.siteId, network: { truncatedIp: '127.0.0.0/24' } });
    expect(byPath.get('pageview/post')).toMatchObject({ eventId: '6f0e3c56-8d43-4c1c-9a4b-000000000001', hostname: 'www.example.com', userAgent: { family: 'Firefox' } });
    expect(byPath.get('vital/post')!.vitals).toEqual([{ name: 'TTFB', value: 81 }]);
    for (const r of records) expect(r.raw!.includes(Buffer.from('127.0.0.1'))).toBe(false);
  });

  it('measurements: the session plan comes from the site config, results land on ingest.measurements.v1', async () => {
    const planRes = await fetch(`${gw.url}/api/v1/session/init?key=${site.key}`);
    expect(planRes.status).toBe(200);
    const plan = (await planRes.json()) as SessionPlan;
    expect(plan.probes).toEqual([
      { provider: 'cdn-a', type: 'rtt', url: 'https://a.example.net/r20.gif' },
      { provider: 'cdn-b', type: 'availability', url: 'https://b.example.net/r20.gif' },
    ]);
    const res = await post(`${plan.measurementsUrl}?key=${site.key}`, { token: plan.token, measurements: [{ provider: 'cdn-a', probeType: 'rtt', value: 12.5, timings: { ttfbMs: 12.5 } }, { provider: 'cdn-b', probeType: 'availability', value: 1 }] });
    expect(res.status).toBe(204);
    const bad = await post(`/api/v1/measurements?key=${site.key}`, { token: 'nope', measurements: [{ provider: 'cdn-a', probeType: 'rtt', value: 1 }] });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'VANE_ERR_TOKEN_INVALID' });
    const records = await readAll<Measurement>(ns, topicOf(ns, 'ingest.measurements.v1'), { atLeast: 2 });
    expect(records.map((r) => r.key)).toEqual(['global', 'global']);
    expect(records.map((r) => r.value)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: 'cdn-a', probeType: 'rtt', value: 12.5, sessionId: plan.sessionId, siteId: site.siteId, source: 'rum', timings: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: 12.5, downloadMs: null } }),
        expect.objectContaining({ provider: 'cdn-b', probeType: 'availability', value: 1, client: expect.objectContaining({ truncatedIp: '127.0.0.0/24' }) }),
      ]),
    );
  });

  it('events: downloads and shares land on ingest.downloads.v1 keyed by type', async () => {
    const res = await post(`/api/v1/events`, { key: site.key, events: [{ type: 'download', product: 'firefox', version: '128.0' }, { type: 'share', product: 'firefox' }] });
    expect(res.status).toBe(204);
    const records = await readAll<Download>(ns, topicOf(ns, 'ingest.downloads.v1'), { atLeast: 2 });
    expect(records.map((r) => r.key).sort()).toEqual(['download', 'share']);
    expect(records.find((r) => r.key === 'download')!.value).toMatchObject({ product: 'firefox', version: '128.0', siteId: site.siteId });
  });

  it('server logs: a gzip upload lands line by line on ingest.serverlogs.v1 with a summary', async () => {
    const lines = Array.from({ length: 1200 }, (_, i) => `198.51.100.${i % 250} - - [15/Jan/2026:10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000] "GET /page/${i} HTTP/1.1" 200 ${i} "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"`);
    lines.splice(100, 0, 'garbage line');
    const res = await post(`/api/v1/beacon/log?format=nginx_combined&uploadId=int-1`, gzipSync(lines.join('\n')), { 'content-type': 'application/gzip', 'x-vane-key': site.key });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ uploadId: 'int-1', format: 'nginx_combined', lines: 1201, accepted: 1200, rejected: 1, rejectedByReason: { VANE_ERR_LOG_UNPARSABLE: { count: 1, firstLines: [101] } } });
    const records = await readAll<ServerLogLine>(ns, topicOf(ns, 'ingest.serverlogs.v1'), { atLeast: 1200 });
    expect(records).toHaveLength(1200);
    const paths = new Set(records.map((r) => r.value.path));
    for (let i = 0; i < 1200; i++) expect(paths.has(`/page/${i}`)).toBe(true);
    expect(records[0]!.value).toMatchObject({ siteId: site.siteId, uploadId: 'int-1', format: 'nginx_combined', network: { truncatedIp: expect.stringMatching(/^198\.51\.100\.0\/24$/) } });
  });

  it('health, metrics, and a revoked key refused once the change arrives', async () => {
    const health = await fetch(`${gw.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', sink: { mode: 'direct' } });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('vane_ingest_records_total{topic="ingest.serverlogs.v1",delivery="kafka"} 1200');
    const revoked = await runVane(['keys', 'revoke', site.key], { env });
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ keyId: site.keyId, siteId: site.siteId, revoked: true });
    await eventually('the gateway to refuse the revoked key', async () => {
      const res = await post(`/api/v1/beacon?key=${site.key}`, { type: 'pageview', url: 'https://example.com/' });
      return res.status === 403 ? ((await res.json()) as { code: string }) : undefined;
    }, 30_000).then((body) => expect(body.code).toBe('VANE_ERR_KEY_REVOKED'));
    const unknown = await runVane(['keys', 'revoke', 'vk_doesnotexist'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('VANE_ERR_KEY_UNKNOWN');
  });
});
