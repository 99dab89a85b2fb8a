import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Client } from 'cassandra-driver';
import type { LocateQuery } from '@vane/schemas';
import { createKafka, valueSubjectOf } from '@vane/topics';
import { createClickhouseClient, createScyllaClient } from '../src';
import { createNamespace, eventually, randomName, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { download } from './fixtures/copier';

const N = 6000;

describe('a processor killed with SIGKILL mid-stream', () => {
  let ns: TestNamespace;
  let cql: Client;
  let ch: ClickHouseClient;
  const keyspace = randomName('t_');
  const database = randomName('t_');
  const children: ChildProcess[] = [];

  function startCopier(): ChildProcess {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'fixtures', 'copier-main.ts')], {
      env: {
        ...ns.env,
        VANE_SCYLLA_KEYSPACE: keyspace,
        VANE_CLICKHOUSE_DATABASE: database,
        VANE_MAX_BATCH_RECORDS: '150',
        VANE_SESSION_TIMEOUT_MS: '6000',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  async function clickhouseCount(final: boolean): Promise<number> {
    const result = await ch.query({ query: `SELECT count() AS n FROM ${database}.copies ${final ? 'FINAL' : ''}`, format: 'JSONEachRow' });
    return Number(((await result.json()) as { n: string }[])[0]!.n);
  }

  beforeAll(async () => {
    ns = await createNamespace();
    cql = createScyllaClient(ns.connections);
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cql.shutdown();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch.close();
    await ns.cleanup();
  });

  it('neither loses nor duplicates any effect after a restart', async () => {
    const producer = createKafka(ns.connections, 'test').producer();
    await producer.connect();
    const subject = valueSubjectOf('ingest.downloads.v1', ns.naming);
    for (let start = 0; start < N; start += 1000) {
      const messages = [];
      for (let i = start; i < start + 1000; i++) messages.push({ key: 'download', value: await ns.codec.encode(subject, download(i)) });
      await producer.send({ topic: topicOf(ns, 'ingest.downloads.v1'), messages, acks: -1 });
    }
    await producer.disconnect();

    const first = startCopier();
    // Kill it once some units of work are committed and the rest is not.
    const seen = await eventually('the first units of work', async () => {
      const n = await clickhouseCount(false).catch(() => 0);
      return n >= 600 ? n : undefined;
    }, 90_000, 20);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(seen).toBeLessThan(N);

    const second = startCopier();
    const out = await readAll<LocateQuery>(ns, topicOf(ns, 'locate.queries.v1'), { atLeast: N, idleMs: 4000, timeoutMs: 120_000 });
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(second.exitCode).toBe(0);

    const ids = out.map((r) => r.value.queryId);
    expect(ids).toHaveLength(N);
    expect(new Set(ids).size).toBe(N);
    const scylla = await cql.execute(`SELECT count(*) AS n FROM ${keyspace}.copies`);
    expect(Number(scylla.rows[0]!.n)).toBe(N);
    expect(await clickhouseCount(true)).toBe(N);
  });
});
