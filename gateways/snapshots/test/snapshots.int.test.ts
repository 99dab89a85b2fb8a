import type { Score } from '@vane/schemas';
import { knownMeasurements, produceMeasurements, T0 } from '@vane/test-support/scorer-data';
import { ScorerPipeline, runScorerInMemory, scorerOptions } from '@vane/test-support/scorer-harness';
import { createScyllaClient, createClickhouseClient } from '@vane/runtime';
import { startServer, type RunningSnapshots } from '../src/server';
import { defaultSettings } from '../src/options';
import { createScoreClient, type ScoreClient } from '@vane/score-client';
import { createNamespace, eventually, randomName, type TestNamespace } from '@vane/test-support/fixtures';

const raw = { maxIntervalMs: 500 };

describe('snapshots of the scorer on the local stack', () => {
  let ns: TestNamespace;
  let pipeline: ScorerPipeline;
  let gateway: RunningSnapshots;
  let client: ScoreClient;
  const keyspace = randomName('t_');
  const database = randomName('t_');
  const data = knownMeasurements();
  const expected = runScorerInMemory(data, scorerOptions(raw));

  beforeAll(async () => {
    ns = await createNamespace();
    const connections = { ...ns.connections, scyllaKeyspace: keyspace, clickhouseDatabase: database };
    pipeline = new ScorerPipeline({ connections, naming: ns.naming, processorOptions: raw, log: () => undefined });
    await pipeline.start();
    gateway = await startServer({ settings: { ...defaultSettings, port: 0 }, connections: ns.connections, naming: ns.naming, logLevel: 'silent', log: () => undefined });
  });

  afterAll(async () => {
    await client?.stop();
    await gateway?.close();
    await pipeline.stop();
    const cql = createScyllaClient(ns.connections);
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cql.shutdown();
    const ch = createClickhouseClient(ns.connections);
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch.close();
    await ns.cleanup();
  });

  it('serves the scores as a snapshot, and a delta subscriber sees a new score after new measurements', async () => {
    await produceMeasurements(ns, data);
    const snapshot = await eventually('the snapshot to hold the expected scores', async () => {
      const res = await fetch(`${gateway.url}/v1/snapshots/scores`, { headers: { 'accept-encoding': 'gzip' } });
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as { version: string; scores: Score[] };
      const byKey = new Map(body.scores.map((s) => [`${s.provider}|${s.locationKey}`, s]));
      for (const [key, score] of expected.scores) if (JSON.stringify(byKey.get(key)) !== JSON.stringify(score)) return undefined;
      return { body, etag: res.headers.get('etag')!, encoding: res.headers.get('content-encoding') };
    }, 90_000, 1000);
    expect(snapshot.body.scores).toHaveLength(expected.scores.size);
    expect(snapshot.etag).toBe(`"${snapshot.body.version}"`);
    expect((await fetch(`${gateway.url}/v1/snapshots/scores`, { headers: { 'if-none-match': snapshot.etag } })).status).toBe(304);

    client = createScoreClient({ url: gateway.url });
    await client.start();
    expect(client.get('cdn-a', 'global')).toEqual(expected.scores.get('cdn-a|global'));
    const before = client.get('cdn-b', 'asn:FR:12322')!;
    const changed = new Promise<Score>((resolve) =>
      client.on('change', (score) => {
        if (score.provider === 'cdn-b' && score.locationKey === 'asn:FR:12322' && score.computedAt > before.computedAt) resolve(score);
      }),
    );
    // Two minutes later in event time, much slower: a new bucket, a new score.
    const later = knownMeasurements(1, T0 + 120_000).map((part) => part.map((m) => ({ ...m, value: m.probeType === 'rtt' ? m.value * 10 : m.value })));
    await produceMeasurements(ns, later);
    const fresh = await changed;
    expect(fresh.computedAt).toBeGreaterThan(before.computedAt);
    expect(fresh.samples).toBeGreaterThan(before.samples);
    expect(fresh.rttP50!).toBeGreaterThan(before.rttP50!);
    expect(client.best('cdn-b', { country: 'FR', continent: 'EU', asn: 12322 })).toEqual(client.get('cdn-b', 'asn:FR:12322'));
  });
});
