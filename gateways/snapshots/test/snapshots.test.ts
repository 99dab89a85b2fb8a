import { gunzipSync } from 'node:zlib';
import type { Score } from '@vane/schemas';
import { createScoreClient, type ScoreClient } from '@vane/score-client';
import { build, type SnapshotsApp } from '../src/app';
import { ScoreTable } from '../src/score-table';

function score(provider: string, locationKey: string, rttP50: number, samples = 100, confidence = 0.9): Score {
  const level = locationKey === 'global' ? 'global' : locationKey.split(':')[0]!;
  return { provider, locationKey, level, rttP50, rttP90: rttP50 * 2, availability: 1, throughputP50: null, samples, confidence, windowStart: 0, windowEnd: 60_000, computedAt: 30_000, modelVersion: 'v1', sourceOffsets: null };
}

function source(table: ScoreTable, ready = true) {
  return { table, isReady: () => ready };
}

describe('snapshot endpoint', () => {
  let table: ScoreTable;
  let app: SnapshotsApp;

  beforeEach(() => {
    table = new ScoreTable(3, 4);
    table.apply('cdn-a|global', 0, 0, score('cdn-a', 'global', 30));
    table.apply('cdn-b|global', 2, 5, score('cdn-b', 'global', 40));
    app = build({ source: source(table) });
  });
  afterEach(() => app.close());

  it('answers 503 while the table loads', async () => {
    const loading = build({ source: source(table, false) });
    const res = await loading.inject({ url: '/v1/snapshots/scores' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'VANE_ERR_NOT_READY' });
    expect(res.headers['retry-after']).toBe('2');
    await loading.close();
  });

  it('serves the whole table, gzip-compressed, versioned by the offsets it reflects, with 304 on a match', async () => {
    const res = await app.inject({ url: '/v1/snapshots/scores', headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.etag).toBe('"1.0.6"');
    const body = JSON.parse(gunzipSync(res.rawPayload).toString()) as { version: string; count: number; scores: Score[] };
    expect(body.version).toBe('1.0.6');
    expect(body.scores.map((s) => s.provider).sort()).toEqual(['cdn-a', 'cdn-b']);
    const again = await app.inject({ url: '/v1/snapshots/scores', headers: { 'if-none-match': '"1.0.6"' } });
    expect(again.statusCode).toBe(304);
    table.apply('cdn-a|global', 0, 1, score('cdn-a', 'global', 31));
    const changed = await app.inject({ url: '/v1/snapshots/scores', headers: { 'if-none-match': '"1.0.6"' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).toBe('"2.0.6"');
    expect(changed.json()).toMatchObject({ version: '2.0.6', count: 2 });
  });

  it('collapses concurrent misses into one build', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => app.inject({ url: '/v1/snapshots/scores', headers: { 'accept-encoding': 'gzip' } })));
    expect(all.every((r) => r.statusCode === 200)).toBe(true);
    expect(app.snapshots.builds).toBe(1);
  });

  it('refuses a malformed or a too old version', async () => {
    expect((await app.inject({ url: '/v1/snapshots/scores/deltas' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/snapshots/scores/deltas?since=abc' })).json()).toMatchObject({ code: 'VANE_ERR_VERSION_INVALID' });
    expect((await app.inject({ url: '/v1/snapshots/scores/deltas?since=0.0' })).statusCode).toBe(410);
    // The buffer holds 4 changes: after 5 more, changes after version 1.0.6 are gone.
    for (let i = 1; i <= 5; i++) table.apply('cdn-a|global', 0, i, score('cdn-a', 'global', 30 + i));
    const gone = await app.inject({ url: '/v1/snapshots/scores/deltas?since=1.0.6' });
    expect(gone.statusCode).toBe(410);
    expect(gone.json()).toMatchObject({ code: 'VANE_ERR_VERSION_GONE' });
  });
});

describe('score client against a gateway on 127.0.0.1', () => {
  let table: ScoreTable;
  let app: SnapshotsApp;
  let client: ScoreClient;
  let url: string;

  beforeAll(async () => {
    table = new ScoreTable(2, 1000);
    table.apply('cdn-a|global', 0, 0, score('cdn-a', 'global', 30));
    table.apply('cdn-a|country:DE', 1, 0, score('cdn-a', 'country:DE', 20));
    app = build({ source: source(table), settings: { heartbeatMs: 200 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    client = createScoreClient({ url, reconnectDelayMs: 50 });
    await client.start();
  });
  afterAll(async () => {
    await client.stop();
    await app.close();
  });

  const waitFor = async (check: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(check()).toBe(true);
  };

  it('bootstraps from the snapshot and follows deltas', async () => {
    expect(client.version).toBe('1.1');
    expect(client.get('cdn-a', 'global')!.rttP50).toBe(30);
    const seen: Score[] = [];
    client.on('change', (s) => seen.push(s));
    table.apply('cdn-a|global', 0, 1, score('cdn-a', 'global', 35));
    await waitFor(() => client.version === '2.1');
    expect(seen.map((s) => s.rttP50)).toEqual([35]);
    expect(client.get('cdn-a', 'global')!.rttP50).toBe(35);
  });

  it('survives a dropped connection without a gap or a double change', async () => {
    const seen: number[] = [];
    client.on('change', (s) => seen.push(s.rttP50!));
    app.server.closeAllConnections();
    // Changes while the client is disconnected (and right after).
    table.apply('cdn-a|country:DE', 1, 1, score('cdn-a', 'country:DE', 21));
    table.apply('cdn-a|country:DE', 1, 2, score('cdn-a', 'country:DE', 22));
    table.apply('cdn-b|global', 0, 2, score('cdn-b', 'global', 50));
    table.apply('cdn-a|global', 0, 3, null);
    await waitFor(() => client.version === '4.3');
    expect(seen).toEqual([21, 22, 50]);
    expect(client.get('cdn-a', 'global')).toBeUndefined();
    expect(client.get('cdn-a', 'country:DE')!.rttP50).toBe(22);
  });

  it('falls back from a sparse location to a wider one', () => {
    expect(client.best('cdn-a', { country: 'DE', continent: 'EU', asn: 3320 })!.locationKey).toBe('country:DE');
    expect(client.best('cdn-b', { country: 'DE', continent: 'EU', asn: 3320 })!.locationKey).toBe('global');
    expect(client.best('cdn-c', { country: 'DE' })).toBeUndefined();
  });
});
