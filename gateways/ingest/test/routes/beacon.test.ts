import { ConfigState } from '@vane/config-model';
import { PIXEL } from '../../src/routes/beacon';
import { KEY, LIMITED_KEY, LOGS_ONLY_KEY, OTHER_KEY, REVOKED_KEY, SITE_ID, testApp, type TestApp } from '../support/harness';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

function pageview(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'pageview', url: 'https://www.example.com/pricing?plan=pro#faq', referrer: 'https://search.example/', title: 'Pricing', screenWidth: 1280, language: 'de-DE', ...extra };
}

describe('POST/GET /api/v1/beacon', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  afterEach(async () => {
    await t.app.close();
  });

  it('accepts a sendBeacon text/plain batch with 204 and writes anonymised beacons keyed by site', async () => {
    const body = { events: [pageview({ eventId: '3F2B8C1D-4E5A-4B6C-9D7E-8F9A0B1C2D3E', eventTime: 1_700_000_000_000 }), { type: 'event', url: 'https://example.com/', name: 'signup', props: { plan: 'pro', seats: 3, trial: true } }, { type: 'vital', url: 'https://example.com/', vitals: [{ name: 'LCP', value: 1234.5 }, { name: 'CLS', value: 0.02 }] }] };
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/beacon?key=${KEY}`,
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': UA },
      remoteAddress: '203.0.113.77',
      payload: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const beacons = t.produced('ingest.beacons.v1');
    expect(beacons).toHaveLength(3);
    expect(beacons.every((b) => b.key === SITE_ID)).toBe(true);
    const [pv, ev, vital] = beacons.map((b) => b.value);
    expect(pv).toMatchObject({
      eventId: '3f2b8c1d-4e5a-4b6c-9d7e-8f9a0b1c2d3e',
      siteId: SITE_ID,
      eventTime: 1_700_000_000_000,
      type: 'pageview',
      url: 'https://www.example.com/pricing?plan=pro',
      path: '/pricing',
      hostname: 'www.example.com',
      referrer: 'https://search.example/',
      title: 'Pricing',
      eventName: null,
      screenWidth: 1280,
      language: 'de-DE',
      userAgent: { raw: UA, family: 'Chrome', os: 'Linux', deviceClass: 'desktop' },
      network: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: 'DE-BE', asn: 3320 },
    });
    expect(pv!.visitorId).toMatch(/^[0-9a-f]{64}$/);
    expect(ev).toMatchObject({ type: 'event', eventName: 'signup', eventProps: { plan: 'pro', seats: '3', trial: 'true' }, vitals: [] });
    expect(ev!.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(vital!.vitals).toEqual([
      { name: 'LCP', value: 1234.5 },
      { name: 'CLS', value: 0.02 },
    ]);
    // The raw address is nowhere in the bytes written.
    for (const r of t.sink.records) expect(r.value.includes(Buffer.from('203.0.113.77'))).toBe(false);
  });

  it('accepts a single JSON event with the key in the body, and a GET image beacon', async () => {
    const post = await t.app.inject({ method: 'POST', url: '/api/v1/beacon', payload: { key: KEY, ...pageview() } });
    expect(post.statusCode).toBe(204);
    const get = await t.app.inject({ method: 'GET', url: `/api/v1/beacon?key=${KEY}&url=${encodeURIComponent('https://example.com/a')}&title=A&screenWidth=390` });
    expect(get.statusCode).toBe(204);
    const gif = await t.app.inject({ method: 'GET', url: `/api/v1/beacon?key=${KEY}&type=event&name=download&props=${encodeURIComponent('{"file":"x.pdf"}')}&url=${encodeURIComponent('https://example.com/b')}&img=1` });
    expect(gif.statusCode).toBe(200);
    expect(gif.headers['content-type']).toBe('image/gif');
    expect(gif.rawPayload.equals(PIXEL)).toBe(true);
    const values = t.produced('ingest.beacons.v1').map((b) => b.value);
    expect(values.map((v) => v.path)).toEqual(['/pricing', '/a', '/b']);
    expect(values[1]).toMatchObject({ type: 'pageview', title: 'A', screenWidth: 390 });
    expect(values[2]).toMatchObject({ type: 'event', eventName: 'download', eventProps: { file: 'x.pdf' } });
  });

  it('answers CORS preflights and sets CORS headers on answers', async () => {
    const pre = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/beacon', headers: { origin: 'https://www.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, headers: { origin: 'https://www.example.com' }, payload: pageview() });
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it.each([
    ['no key', '/api/v1/beacon', 401, 'VANE_ERR_KEY_MISSING'],
    ['an unknown key', '/api/v1/beacon?key=vk_nope', 401, 'VANE_ERR_KEY_UNKNOWN'],
    ['a revoked key', `/api/v1/beacon?key=${REVOKED_KEY}`, 403, 'VANE_ERR_KEY_REVOKED'],
    ['a key without the beacon scope', `/api/v1/beacon?key=${LOGS_ONLY_KEY}`, 403, 'VANE_ERR_KEY_SCOPE'],
    ["another site's key for this hostname", `/api/v1/beacon?key=${OTHER_KEY}`, 403, 'VANE_ERR_HOSTNAME_NOT_ALLOWED'],
  ])('refuses %s', async (_what, url, status, code) => {
    const res = await t.app.inject({ method: 'POST', url, payload: pageview() });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
    expect(t.sink.records).toHaveLength(0);
  });

  it.each([
    ['a missing url', { type: 'pageview' }, 'body.events.0.url'],
    ['an unknown type', pageview({ type: 'click' }), 'body.events.0.type'],
    ['an event without a name', pageview({ type: 'event' }), 'body.events.0.name'],
    ['a vital without figures', pageview({ type: 'vital' }), 'body.events.0.vitals'],
    ['an unknown vital', pageview({ type: 'vital', vitals: [{ name: 'FID', value: 3 }] }), 'body.events.0.vitals.0.name'],
    ['a relative url', pageview({ url: '/pricing' }), 'body.events.0.url'],
    ['a bad event id', pageview({ eventId: 'nope' }), 'body.events.0.eventId'],
  ])('refuses %s with 400 VANE_ERR_VALIDATION naming the field', async (_what, event, field) => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, payload: { events: [event] } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field });
  });

  it('refuses a GET beacon without url, bodies that are not JSON, too large or of another type', async () => {
    const get = await t.app.inject({ method: 'GET', url: `/api/v1/beacon?key=${KEY}` });
    expect(get.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'querystring.url' });
    const text = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, headers: { 'content-type': 'text/plain' }, payload: '{nope' });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toMatchObject({ code: 'VANE_ERR_BAD_INPUT', field: 'body' });
    const json = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, headers: { 'content-type': 'application/json' }, payload: '{nope' });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ code: 'VANE_ERR_BAD_INPUT' });
    const big = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, payload: { events: [pageview({ title: 'x'.repeat(70_000) })] } });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'VANE_ERR_BODY_TOO_LARGE' });
    const xml = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toMatchObject({ code: 'VANE_ERR_MEDIA_TYPE' });
    const many = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, payload: { events: Array.from({ length: 101 }, () => pageview()) } });
    expect(many.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.events' });
  });

  it('limits requests per key per minute with 429 and Retry-After', async () => {
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${LIMITED_KEY}`, payload: pageview() });
      codes.push(last.statusCode);
    }
    expect(codes).toEqual([204, 204, 204, 429, 429]);
    expect(last!.json()).toMatchObject({ code: 'VANE_ERR_RATE_LIMITED' });
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    // Other keys are not affected.
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, payload: pageview() })).statusCode).toBe(204);
  });

  it('counts usage per key per day and enforces daily limits', async () => {
    for (let i = 0; i < 2; i++) {
      const ok = await t.app.inject({ method: 'POST', url: `/api/v1/events?key=${OTHER_KEY}`, payload: { type: 'download', product: 'firefox' } });
      expect(ok.statusCode).toBe(204);
    }
    const over = await t.app.inject({ method: 'POST', url: `/api/v1/events?key=${OTHER_KEY}`, payload: { type: 'download', product: 'firefox' } });
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'VANE_ERR_DAILY_LIMIT' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/vane_ingest_key_requests\{site="site_test0000000002",key="vk_testk",day="\d{4}-\d{2}-\d{2}"\} 3/);
  });

  it('answers 503 with Retry-After when the spool is full, and while the configuration loads', async () => {
    t.sink.refuse = true;
    const full = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, payload: pageview() });
    expect(full.statusCode).toBe(503);
    expect(full.json()).toMatchObject({ code: 'VANE_ERR_SPOOL_FULL' });
    expect(full.headers['retry-after']).toBe('5');
    const loading = await testApp({ config: { state: new ConfigState(), ready: false } });
    const res = await loading.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, payload: pageview() });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'VANE_ERR_NOT_RUNNING' });
    await loading.app.close();
  });
});

describe('privacy at the door', () => {
  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const untrusted = await testApp();
    await untrusted.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '203.0.113.5' }, payload: pageview() });
    expect(untrusted.produced('ingest.beacons.v1')[0]!.value.network.truncatedIp).toBe('198.51.100.0/24');
    await untrusted.app.close();

    const trusted = await testApp({ settings: { trustedProxies: ['198.51.100.0/24'] } });
    await trusted.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '2001:db8:85a3:1234::7, 203.0.113.5' }, payload: pageview() });
    await trusted.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.5' }, payload: pageview() });
    const nets = trusted.produced('ingest.beacons.v1').map((b) => b.value.network.truncatedIp);
    expect(nets).toEqual(['203.0.113.0/24', '10.0.0.0/24']);
    await trusted.app.close();
  });

  it('gives one visitor id per site, /24 and agent for a day, and a different one on another site or day', async () => {
    let now = Date.UTC(2026, 0, 15, 12, 0, 0);
    const t = await testApp({ now: () => now });
    const send = (ip: string, ua: string) => t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${KEY}`, remoteAddress: ip, headers: { 'user-agent': ua }, payload: pageview() });
    await send('203.0.113.5', UA);
    await send('203.0.113.200', UA); // same /24
    await send('203.0.113.5', `${UA} Edg/1`);
    now += 24 * 3600 * 1000;
    await send('203.0.113.5', UA);
    now = Date.UTC(2026, 0, 17, 0, 10, 0); // ten minutes after midnight
    await send('203.0.113.5', UA);
    const v = t.produced('ingest.beacons.v1').map((b) => b.value);
    expect(v[0]!.visitorId).toBe(v[1]!.visitorId);
    expect(v[2]!.visitorId).not.toBe(v[0]!.visitorId);
    expect(v[3]!.visitorId).not.toBe(v[0]!.visitorId);
    expect(v[3]!.previousVisitorId).toBeNull();
    expect(v[4]!.previousVisitorId).toBe(v[3]!.visitorId);
    expect(t.ctx.visitors.ids(now, 'another-site', '203.0.113.0/24', UA).visitorId).not.toBe(v[4]!.visitorId);
    await t.app.close();
  });
});
