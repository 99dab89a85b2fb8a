import { KEY, LOGS_ONLY_KEY, OTHER_KEY, SITE_ID, testApp, type TestApp } from '../support/harness';
import type { SessionPlan } from '../../src/routes/session-init';

describe('GET /api/v1/session/init and POST /api/v1/measurements', () => {
  let t: TestApp;
  let now: number;
  beforeEach(async () => {
    now = Date.UTC(2026, 0, 15, 12, 0, 0);
    t = await testApp({ now: () => now });
  });
  afterEach(async () => {
    await t.app.close();
  });

  async function plan(key = KEY): Promise<SessionPlan> {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/session/init?key=${key}`, headers: { origin: 'https://example.com' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['cache-control']).toBe('no-store');
    return res.json();
  }

  it("answers the site's probe plan with a signed, short-lived token", async () => {
    const p = await plan();
    expect(p.probes).toEqual([
      { provider: 'cdn-a', type: 'rtt', url: 'https://a.example.net/r20.gif' },
      { provider: 'cdn-a', type: 'throughput', url: 'https://a.example.net/100k.bin' },
      { provider: 'cdn-b', type: 'availability', url: 'https://b.example.net/r20.gif' },
    ]);
    expect(p.expiresAt).toBe(now + 900_000);
    expect(p.measurementsUrl).toBe('/api/v1/measurements');
    expect(p.token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(p.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await plan(OTHER_KEY)).probes).toEqual([]);
  });

  it('accepts measurements of the plan, adds the client network and keys them by location', async () => {
    const p = await plan();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/measurements?key=${KEY}`,
      headers: { 'content-type': 'text/plain' },
      remoteAddress: '203.0.113.50',
      payload: JSON.stringify({
        token: p.token,
        measurements: [
          { provider: 'cdn-a', probeType: 'rtt', value: 23.4, timings: { dnsMs: 1.2, connectMs: 3, tlsMs: null, ttfbMs: 23.4, downloadMs: 0.5 }, url: 'https://a.example.net/r20.gif', eventTime: now - 50 },
          { provider: 'cdn-a', probeType: 'throughput', value: 48_000 },
          { provider: 'cdn-b', probeType: 'availability', value: 0, measurementId: '00000000-0000-4000-8000-000000000001' },
        ],
      }),
    });
    expect(res.statusCode).toBe(204);
    const ms = t.produced('ingest.measurements.v1');
    expect(ms.map((m) => m.key)).toEqual(['asn:DE:3320', 'asn:DE:3320', 'asn:DE:3320']);
    expect(ms[0]!.value).toMatchObject({
      receivedAt: now,
      eventTime: now - 50,
      sessionId: p.sessionId,
      siteId: SITE_ID,
      provider: 'cdn-a',
      probeType: 'rtt',
      value: 23.4,
      timings: { dnsMs: 1.2, connectMs: 3, tlsMs: null, ttfbMs: 23.4, downloadMs: 0.5 },
      url: 'https://a.example.net/r20.gif',
      client: { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: 'DE-BE', asn: 3320, asnOrg: 'Deutsche Telekom AG' },
      resolver: null,
      source: 'rum',
    });
    expect(ms[1]!.value).toMatchObject({ probeType: 'throughput', timings: null, eventTime: now });
    expect(ms[2]!.value.measurementId).toBe('00000000-0000-4000-8000-000000000001');
    // An unknown network is keyed "global".
    await t.app.inject({ method: 'POST', url: `/api/v1/measurements?key=${KEY}`, remoteAddress: '192.0.2.1', payload: { token: p.token, measurements: [{ provider: 'cdn-b', probeType: 'availability', value: 1 }] } });
    expect(t.produced('ingest.measurements.v1')[3]!.key).toBe('global');
  });

  it('refuses bad, expired and foreign tokens, providers outside the plan and impossible values', async () => {
    const p = await plan();
    const post = (body: unknown, key = KEY) => t.app.inject({ method: 'POST', url: `/api/v1/measurements?key=${key}`, payload: body as object });
    const m = [{ provider: 'cdn-a', probeType: 'rtt', value: 20 }];
    const forged = `${p.token.split('.')[0]}.${'A'.repeat(43)}`;
    expect((await post({ token: forged, measurements: m })).json()).toMatchObject({ code: 'VANE_ERR_TOKEN_INVALID' });
    expect((await post({ token: 'garbage', measurements: m })).statusCode).toBe(401);
    const otherPlan = await plan(OTHER_KEY);
    const foreign = await post({ token: otherPlan.token, measurements: m });
    expect(foreign.statusCode).toBe(401);
    expect(foreign.json()).toMatchObject({ code: 'VANE_ERR_TOKEN_INVALID', field: 'body.token' });
    const outside = await post({ token: p.token, measurements: [{ provider: 'cdn-z', probeType: 'rtt', value: 20 }] });
    expect(outside.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.measurements.0.provider' });
    const avail = await post({ token: p.token, measurements: [{ provider: 'cdn-a', probeType: 'availability', value: 0.5 }] });
    expect(avail.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.measurements.0.value' });
    const type = await post({ token: p.token, measurements: [{ provider: 'cdn-a', probeType: 'jitter', value: 1 }] });
    expect(type.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.measurements.0.probeType' });
    const noToken = await post({ measurements: m });
    expect(noToken.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'body.token' });
    expect((await post({ token: p.token, measurements: m }, LOGS_ONLY_KEY)).json()).toMatchObject({ code: 'VANE_ERR_KEY_SCOPE' });
    now += 901_000;
    const expired = await post({ token: p.token, measurements: m });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: 'VANE_ERR_TOKEN_EXPIRED' });
    expect(t.sink.records).toHaveLength(0);
  });
});
