import type { FastifyInstance } from 'fastify';
import type { GeoSubmission, LocateQuery } from '@vane/schemas';
import { build, type LocateKeyInfo } from '../src/app';
import type { FoundStations, StationLookup, StationRecord } from '../src';
import { NOW, offset, station } from './support';

const GEO = { countryCode: 'DE', latitude: 52.52, longitude: 13.4, subdivisions: ['DE-BE'], city: true, accuracyRadiusKm: null };
const BASE: [number, number] = [48.137, 11.575];
const STATIONS: StationRecord[] = [
  station('wifi', '0123456789ab', ...BASE),
  station('wifi', '0123456789ac', ...offset(...BASE, 40, 30)),
];

function setup(over: { keys?: Record<string, LocateKeyInfo>; storeDown?: boolean; keysDown?: boolean; trustedProxies?: string[] } = {}) {
  const keys: Record<string, LocateKeyInfo> = over.keys ?? {
    test: { keyId: 'k1', revoked: false, dailyLimit: 0, permissions: ['locate', 'region', 'submit', 'fallback'] },
    two: { keyId: 'k2', revoked: false, dailyLimit: 2, permissions: ['locate'] },
    gone: { keyId: 'k3', revoked: true, dailyLimit: 0, permissions: ['locate'] },
  };
  const queries: LocateQuery[] = [];
  const submissions: GeoSubmission[] = [];
  const lookups: StationLookup[] = [];
  const keyCalls: string[] = [];
  const store = {
    async find(lookup: StationLookup): Promise<FoundStations> {
      lookups.push(lookup);
      if (over.storeDown) throw new Error('scylla down');
      const pick = (kind: string, ks: string[]) => STATIONS.filter((s) => s.kind === kind && ks.includes(s.key));
      return { wifi: pick('wifi', lookup.wifi), bluetooth: [], cells: [], cellAreas: [] };
    },
  };
  const appP = build({
    geoip: (ip) => (ip === '127.0.0.1' || ip === '198.51.100.7' ? GEO : null),
    stations: store,
    keys: { get: (k) => { keyCalls.push(k); if (over.keysDown) throw new Error('down'); return keys[k] ?? null; } },
    sink: { query: async (q) => { queries.push(q); }, submission: async (s) => { submissions.push(s); } },
    now: () => NOW,
    trustedProxies: over.trustedProxies,
  });
  return { appP, queries, submissions, lookups, keyCalls };
}

const wifiBody = { wifiAccessPoints: [{ macAddress: '01:23:45:67:89:AB', signalStrength: -60 }, { macAddress: '01-23-45-67-89-ac', signalStrength: -70 }] };

async function post(app: FastifyInstance, url: string, body: unknown) {
  const res = await app.inject({ method: 'POST', url, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
}

describe('locate gateway', () => {
  it('answers geolocate from learned WiFi stations and records the query', async () => {
    const t = setup();
    const app = await t.appP;
    const res = await post(app, '/v1/geolocate?key=test', wifiBody);
    expect(res.status).toBe(200);
    expect(Math.abs(res.body.location.lat - BASE[0])).toBeLessThan(0.001);
    expect(Math.abs(res.body.location.lng - BASE[1])).toBeLessThan(0.001);
    expect(res.body.accuracy).toBeGreaterThanOrEqual(10);
    expect(res.body.accuracy).toBeLessThanOrEqual(500);
    expect(t.queries).toHaveLength(1);
    expect(t.queries[0].source).toBe('internal');
    await app.close();
  });

  it('answers an IP-only query from GeoIP without touching the store', async () => {
    const t = setup();
    const app = await t.appP;
    const res = await post(app, '/v1/geolocate?key=test', {});
    expect(res.status).toBe(200);
    expect(res.body.location).toEqual({ lat: 52.52, lng: 13.4 });
    expect(t.lookups).toHaveLength(0);
    await app.close();
  });

  it('falls back to GeoIP when the store is down and says degraded', async () => {
    const t = setup({ storeDown: true });
    const app = await t.appP;
    const res = await post(app, '/v1/geolocate?key=test', wifiBody);
    expect(res.status).toBe(200);
    expect(res.body.fallback).toBe('ipf');
    expect(res.body.location).toEqual({ lat: 52.52, lng: 13.4 });
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toMatchObject({ status: 'degraded', degraded: ['stations'] });
    await app.close();
  });

  it('404 notFound body exact when nothing is known and IP is not considered', async () => {
    const t = setup();
    const app = await t.appP;
    const res = await post(app, '/v1/geolocate?key=test', { considerIp: false });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { errors: [{ domain: 'geolocation', reason: 'notFound', message: 'Not found' }], code: 404, message: 'Not found' } });
    await app.close();
  });

  it('parseError for a body that is not JSON', async () => {
    const app = await setup().appP;
    const res = await post(app, '/v1/geolocate?key=test', '{nope');
    expect(res.status).toBe(400);
    expect(res.body.error.errors[0]).toEqual({ domain: 'global', reason: 'parseError', message: 'Parse Error' });
    expect(res.body.error.details).toBeDefined();
    await app.close();
  });

  it('keyInvalid for missing, unknown, revoked and unpermitted keys; unknown keys are cached', async () => {
    const t = setup();
    const app = await t.appP;
    for (const url of ['/v1/geolocate', '/v1/geolocate?key=nope', '/v1/geolocate?key=gone', '/v1/country?key=two', '/v1/geolocate?key=nope']) {
      const res = await post(app, url, {});
      expect(res.status).toBe(400);
      expect(res.body.error.errors[0]).toEqual({ domain: 'usageLimits', reason: 'keyInvalid', message: 'Missing or invalid API key.' });
    }
    expect(t.keyCalls.filter((k) => k === 'nope')).toHaveLength(1);
    await app.close();
  });

  it('dailyLimitExceeded past the key limit', async () => {
    const app = await setup().appP;
    expect((await post(app, '/v1/geolocate?key=two', {})).status).toBe(200);
    expect((await post(app, '/v1/geolocate?key=two', {})).status).toBe(200);
    const res = await post(app, '/v1/geolocate?key=two', {});
    expect(res.status).toBe(403);
    expect(res.body.error.errors[0].reason).toBe('dailyLimitExceeded');
    await app.close();
  });

  it('keeps answering locate when the key source is down', async () => {
    const app = await setup({ keysDown: true }).appP;
    expect((await post(app, '/v1/geolocate?key=any', {})).status).toBe(200);
    await app.close();
  });

  it('country from GeoIP', async () => {
    const app = await setup().appP;
    const res = await post(app, '/v1/country?key=test', {});
    expect(res.status).toBe(200);
    expect(res.body.country_code).toBe('DE');
    await app.close();
  });

  it('geosubmit produces one record per valid item and answers {}', async () => {
    const t = setup();
    const app = await t.appP;
    const res = await post(app, '/v2/geosubmit?key=test', { items: [{ timestamp: NOW - 1000, position: { latitude: 48.1, longitude: 11.5, accuracy: 10 }, ...wifiBody }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(t.submissions).toHaveLength(1);
    expect(t.submissions[0].apiKeyId).toBe('k1');
    await app.close();
  });

  it('honours X-Forwarded-For only from trusted proxies', async () => {
    const seen: string[] = [];
    for (const trustedProxies of [[], ['127.0.0.1']]) {
      const app = await setup({ trustedProxies }).appP;
      const res = await app.inject({ method: 'POST', url: '/v1/geolocate?key=test', payload: '{}', remoteAddress: '127.0.0.2', headers: { 'x-forwarded-for': '198.51.100.7' } });
      seen.push(String(res.statusCode));
      await app.close();
    }
    expect(seen).toEqual(['404', '404']);
    const app = await setup({ trustedProxies: ['127.0.0.2'] }).appP;
    const res = await app.inject({ method: 'POST', url: '/v1/geolocate?key=test', payload: '{}', remoteAddress: '127.0.0.2', headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(res.statusCode).toBe(200);
    await app.close();
  });
});
