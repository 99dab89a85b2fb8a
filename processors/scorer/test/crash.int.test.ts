import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Client } from 'cassandra-driver';
import { createClickhouseClient, createScyllaClient } from '@vane/runtime';
import { scorerOptions } from '../src/processor';
import { createNamespace, eventually, randomName, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { knownMeasurements, latestScores, produceMeasurements } from '@vane/test-support/scorer-data';
import { runScorerInMemory } from '@vane/test-support/scorer-harness';

const bin = join(__dirname, '..', '..', '..', 'scripts', 'cli', 'bin', 'vane.js');

describe('the scorer killed with SIGKILL mid-stream', () => {
  let ns: TestNamespace;
  let cql: Client;
  let ch: ClickHouseClient;
  const keyspace = randomName('t_');
  const database = randomName('t_');
  const children: ChildProcess[] = [];
  const data = knownMeasurements(10);
  const total = data.reduce((n, p) => n + p.length, 0);
  // The run without the crash: the same processors over the same partitions.
  const expected = runScorerInMemory(data, scorerOptions({ maxIntervalMs: 500 }));

  function startScorer(): ChildProcess {
    const child = spawn(process.execPath, [bin, 'run', 'scorer'], {
      env: {
        ...ns.env,
        VANE_SCYLLA_KEYSPACE: keyspace,
        VANE_CLICKHOUSE_DATABASE: database,
        VANE_MAX_BATCH_RECORDS: '40',
        VANE_SESSION_TIMEOUT_MS: '6000',
        VANE_SCORER_MAX_INTERVAL_MS: '500',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`scorer exited ${code}: ${stderr.slice(-3000)}\n`);
    });
    children.push(child);
    return child;
  }

  async function measurementsLoaded(final: boolean): Promise<number> {
    const result = await ch.query({ query: `SELECT count() AS n FROM ${database}.measurements ${final ? 'FINAL' : ''}`, format: 'JSONEachRow' });
    return Number(((await result.json()) as { n: string }[])[0]!.n);
  }

  beforeAll(async () => {
    ns = await createNamespace();
    cql = createScyllaClient(ns.connections);
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cql.shutdown();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch.close();
    await ns.cleanup();
  });

  it('ends with the scores of a run without the crash, nothing counted twice', async () => {
    await produceMeasurements(ns, data);
    const first = startScorer();
    const seen = await eventually('the first units of work', async () => {
      const n = await measurementsLoaded(false).catch(() => 0);
      return n >= 400 ? n : undefined;
    }, 90_000, 20);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(seen).toBeLessThan(total);

    const second = startScorer();
    const scores = await eventually('scores.v1 to settle after the restart', async () => {
      const latest = await latestScores(ns, topicOf(ns, 'scores.v1'), expected.scores.size);
      for (const [key, score] of expected.scores) if (JSON.stringify(latest.get(key)) !== JSON.stringify(score)) return undefined;
      return latest;
    }, 120_000, 1000);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(second.exitCode).toBe(0);

    expect(new Map([...scores].sort())).toEqual(new Map([...expected.scores].sort()));
    const rows = await cql.execute(`SELECT provider, location_key, samples, rtt_p50 FROM ${keyspace}.scores`);
    expect(rows.rows).toHaveLength(expected.scores.size);
    for (const row of rows.rows) {
      const score = expected.scores.get(`${row.provider as string}|${row.location_key as string}`)!;
      expect({ samples: Number(row.samples), rttP50: row.rtt_p50 }).toEqual({ samples: score.samples, rttP50: score.rttP50 });
    }
    const late = await ch.query({ query: `SELECT count() AS n FROM ${database}.measurements_late FINAL`, format: 'JSONEachRow' });
    expect(Number(((await late.json()) as { n: string }[])[0]!.n)).toBe(6);
    await eventually('every raw measurement loaded once', async () => ((await measurementsLoaded(true)) === total ? true : undefined), 30_000);
  });
});
