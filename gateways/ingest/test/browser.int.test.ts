import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import type { Beacon, Measurement } from '@vane/schemas';
import { createNamespace, eventually, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { runVane } from '@vane/test-support/run-vane';
import { startConfigService, type TestConfigService } from '@vane/test-support/config-service';
import { CHROMIUM_ARGS, ensureChromium } from './support/debian';
import { freePort, removeDir, startTestGateway, type TestGateway } from './support/gateway';

/**
 * Browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens a test page that loads /vane.js from the gateway; the pageview, the
 * web vitals and the results of the session plan's probes (served by a local
 * "provider" with Timing-Allow-Origin) arrive on their topics.
 */
jest.setTimeout(300_000);

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('vane.js in headless Chromium', () => {
  let ns: TestNamespace;
  let gw: TestGateway;
  let config: TestConfigService;
  let browser: Browser;
  let provider: Server;
  let page: Server;
  let pagePort: number;
  let key: string;
  let siteId: string;
  const probeHits: string[] = [];

  beforeAll(async () => {
    const executablePath = ensureChromium();
    provider = createServer((req, res) => {
      probeHits.push(req.url ?? '');
      const big = req.url?.startsWith('/100k.bin');
      res.writeHead(200, {
        'content-type': big ? 'application/octet-stream' : 'image/gif',
        'access-control-allow-origin': '*',
        'timing-allow-origin': '*',
        'cache-control': 'no-store',
      });
      res.end(Buffer.alloc(big ? 100 * 1024 : 43, 7));
    });
    const providerPort = await listen(provider);
    const closedPort = await freePort();

    ns = await createNamespace();
    config = await startConfigService(ns);
    const created = await runVane(
      [
        'sites', 'create', 'example.com', '--hostname', '127.0.0.1',
        '--probe', `cdn-a:rtt=http://127.0.0.1:${providerPort}/r20.gif`,
        '--probe', `cdn-a:throughput=http://127.0.0.1:${providerPort}/100k.bin`,
        '--probe', `cdn-b:availability=http://127.0.0.1:${closedPort}/down.gif`,
      ],
      { env: { ...ns.env, ...config.env } },
    );
    expect(created.code).toBe(0);
    ({ key, siteId } = JSON.parse(created.stdout) as { key: string; siteId: string });
    gw = await startTestGateway({ connections: ns.connections, naming: ns.naming });

    page = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Vane test page</title>
<script defer src="${gw.url}/vane.js" data-key="${key}" data-probe-delay="0"></script></head>
<body><h1>Hello from a test page</h1><p>${'Some text. '.repeat(50)}</p><button id="b">Click</button></body></html>`);
    });
    pagePort = await listen(page);
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => page?.close(r));
    await new Promise((r) => provider?.close(r));
    await gw?.stop();
    if (gw) removeDir(gw.spoolDir);
    await config?.close();
    await ns?.cleanup();
  });

  it('sends the pageview and vitals with sendBeacon and runs the RUM probes of the plan', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`http://127.0.0.1:${pagePort}/products?ref=test#top`, { waitUntil: 'load' });
    await tab.click('#b');
    // The plan's probes run right after load (data-probe-delay=0), then their results are posted.
    await eventually('the measurements to be accepted', async () => {
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      return /vane_ingest_records_total\{topic="ingest.measurements.v1",delivery="kafka"\} 3/.test(metrics) ? true : undefined;
    }, 60_000);
    // Hiding the page sends the web vitals.
    await tab.close({ runBeforeUnload: true });
    await context.close();

    const beacons = await readAll<Beacon>(ns, topicOf(ns, 'ingest.beacons.v1'), { atLeast: 2 });
    const pageview = beacons.find((b) => b.value.type === 'pageview')!.value;
    expect(pageview).toMatchObject({
      siteId,
      url: `http://127.0.0.1:${pagePort}/products?ref=test`,
      path: '/products',
      hostname: '127.0.0.1',
      title: 'Vane test page',
      network: { truncatedIp: '127.0.0.0/24' },
      userAgent: { family: 'Chrome Headless' },
    });
    expect(pageview.sessionHint).toMatch(/^[0-9a-f-]{36}$/);
    expect(pageview.screenWidth).toBeGreaterThan(0);
    const vital = beacons.find((b) => b.value.type === 'vital')!.value;
    const names = vital.vitals.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['TTFB', 'FCP']));
    for (const v of vital.vitals) expect(v.value).toBeGreaterThanOrEqual(0);
    expect(vital.visitorId).toBe(pageview.visitorId);

    const measurements = (await readAll<Measurement>(ns, topicOf(ns, 'ingest.measurements.v1'), { atLeast: 3 })).map((r) => r.value);
    expect(measurements).toHaveLength(3);
    const byType = new Map(measurements.map((m) => [`${m.provider}/${m.probeType}`, m]));
    const rtt = byType.get('cdn-a/rtt')!;
    expect(rtt.value).toBeGreaterThanOrEqual(0);
    expect(rtt.timings).not.toBeNull();
    expect(rtt.timings!.ttfbMs).not.toBeNull();
    expect(byType.get('cdn-a/throughput')!.value).toBeGreaterThan(0);
    expect(byType.get('cdn-b/availability')!.value).toBe(0);
    expect(new Set(measurements.map((m) => m.sessionId)).size).toBe(1);
    expect(measurements.every((m) => m.siteId === siteId && m.source === 'rum' && m.client.truncatedIp === '127.0.0.0/24')).toBe(true);
    expect(probeHits.filter((u) => u.startsWith('/r20.gif?vane='))).toHaveLength(1);
    expect(probeHits.filter((u) => u.startsWith('/100k.bin?vane='))).toHaveLength(1);
  });
});
