import type { ClickHouseClient } from '@clickhouse/client';
import type { Client } from 'cassandra-driver';
import { createClickhouseClient, createScyllaClient } from '@vane/runtime';
import { ScorerPipeline, scorerOptions } from '@vane/scorer';
import { knownMeasurements, latestScores, produceMeasurements } from '@vane/test-support/scorer-data';
import { runScorerInMemory } from '@vane/test-support/scorer-harness';
import { physicalTopic } from '@vane/topics';
import { createNamespace, eventually, randomName, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { runVane } from '@vane/test-support/run-vane';

const raw = { maxIntervalMs: 500 };

describe('vane replay', () => {
  let ns: TestNamespace;
  let live: ScorerPipeline;
  let cql: Client;
  let ch: ClickHouseClient;
  let env: Record<string, string>;
  const keyspace = randomName('t_');
  const database = randomName('t_');
  const data = knownMeasurements(3);
  const expected = runScorerInMemory(data, scorerOptions(raw));

  beforeAll(async () => {
    ns = await createNamespace();
    env = { ...ns.env, VANE_SCYLLA_KEYSPACE: keyspace, VANE_CLICKHOUSE_DATABASE: database, VANE_SCORER_MAX_INTERVAL_MS: '500' };
    const connections = { ...ns.connections, scyllaKeyspace: keyspace, clickhouseDatabase: database };
    live = new ScorerPipeline({ connections, naming: ns.naming, processorOptions: raw, log: () => undefined });
    await live.start();
    cql = createScyllaClient(ns.connections);
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    await live.stop();
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cql.shutdown();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch.close();
    await ns.cleanup();
  });

  it('rebuilds the scores from earliest as v2, verifies v2 equal to the live version, and promotes it', async () => {
    await produceMeasurements(ns, data);
    await eventually('the live scores to settle', async () => {
      const latest = await latestScores(ns, topicOf(ns, 'scores.v1'), expected.scores.size);
      for (const [key, score] of expected.scores) if (JSON.stringify(latest.get(key)) !== JSON.stringify(score)) return undefined;
      return latest;
    }, 90_000, 1000);

    const rebuilt = await runVane(['replay', 'scorer', '--from', 'earliest', '--as', 'v2'], { env, timeoutMs: 120_000 });
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/version v2 caught up/);
    // The live version kept serving: its topic is untouched; v2 has its own.
    const v2 = await latestScores(ns, physicalTopic('v2.scores.v1', ns.naming), expected.scores.size);
    expect(new Map([...v2].sort())).toEqual(new Map([...expected.scores].sort()));

    const verified = await runVane(['replay', 'verify', 'scorer', '--as', 'v2'], { env, timeoutMs: 60_000 });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/scylla scores .* equal/);
    expect(verified.stdout).toMatch(/clickhouse measurements .* equal/);
    expect(verified.stdout).toMatch(/clickhouse scores_history \(latest per key\) .* equal/);
    expect(verified.stdout).toMatch(/v2 equals v1/);

    // A rebuild of part of the history is not equal, and verify says so.
    const partial = await runVane(['replay', 'scorer', '--from', new Date(Date.now() + 3_600_000).toISOString(), '--as', 'v3'], { env, timeoutMs: 120_000 });
    expect(partial.code).toBe(0);
    const differs = await runVane(['replay', 'verify', 'scorer', '--as', 'v3'], { env, timeoutMs: 60_000 });
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/DIFFERENT/);
    expect(differs.stderr).toMatch(/VANE_ERR_REPLAY_MISMATCH/);

    // Promotion refuses while the live scorer runs, then switches the serving version.
    const refused = await runVane(['replay', 'promote', 'scorer', '--as', 'v2'], { env, timeoutMs: 60_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/stop the running scorer/);
    await live.stop();
    const promoted = await runVane(['replay', 'promote', 'scorer', '--as', 'v2'], { env, timeoutMs: 60_000 });
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    const serving = await cql.execute(`SELECT version, previous FROM ${keyspace}.model_serving WHERE model = 'scorer'`);
    expect(serving.rows[0]).toMatchObject({ version: 'v2', previous: 'v1' });
    const view = await ch.query({ query: `SELECT count() AS n FROM ${database}.measurements_serving`, format: 'JSONEachRow' });
    expect(Number(((await view.json()) as { n: string }[])[0]!.n)).toBe(data.reduce((n, p) => n + p.length, 0));
    const after = await latestScores(ns, topicOf(ns, 'scores.v1'), expected.scores.size);
    expect(new Map([...after].sort())).toEqual(new Map([...expected.scores].sort()));
    const dropped = await runVane(['replay', 'drop', 'scorer', '--as', 'v3'], { env, timeoutMs: 60_000 });
    expect(dropped.code).toBe(0);
    // Dropping the replaced v1 keeps scores.v1, which v2 now writes.
    const droppedV1 = await runVane(['replay', 'drop', 'scorer', '--as', 'v1'], { env, timeoutMs: 60_000 });
    expect(droppedV1.stderr).toBe('');
    expect(droppedV1.stdout).toMatch(/dropped version v1 of scorer: 3 topics/);
    expect(await ns.admin.listTopics()).toContain(topicOf(ns, 'scores.v1'));
    expect(await ns.admin.listTopics()).not.toContain(topicOf(ns, 'scorer.partials.v1'));
    const kept = await latestScores(ns, topicOf(ns, 'scores.v1'), expected.scores.size);
    expect(new Map([...kept].sort())).toEqual(new Map([...expected.scores].sort()));
  });
});
