import type { ClickHouseClient } from '@clickhouse/client';
import type { Client } from 'cassandra-driver';
import type { DeadLetter, LocateQuery } from '@vane/schemas';
import { valueSubjectOf } from '@vane/topics';
import { ProcessorRuntime, createClickhouseClient, createScyllaClient } from '../src';
import { createNamespace, eventually, randomName, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { copier, download } from './fixtures/copier';

describe('ProcessorRuntime on the local stack', () => {
  let ns: TestNamespace;
  let runtime: ProcessorRuntime<'ingest.downloads.v1', { tag: string }>;
  let cql: Client;
  let ch: ClickHouseClient;
  const keyspace = randomName('t_');
  const database = randomName('t_');

  beforeAll(async () => {
    ns = await createNamespace();
    const connections = { ...ns.connections, scyllaKeyspace: keyspace, clickhouseDatabase: database };
    runtime = new ProcessorRuntime(copier, { connections, naming: ns.naming, processorOptions: { tag: 'it' }, log: () => undefined });
    await runtime.start();
    cql = createScyllaClient(ns.connections);
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    await runtime.stop();
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await cql.shutdown();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await ch.close();
    await ns.cleanup();
  });

  async function produce(values: unknown[]): Promise<void> {
    const producer = (await import('@vane/topics')).createKafka(ns.connections, 'test').producer();
    await producer.connect();
    const subject = valueSubjectOf('ingest.downloads.v1', ns.naming);
    const messages = [];
    for (const v of values) messages.push({ key: 'download', value: Buffer.isBuffer(v) ? v : await ns.codec.encode(subject, v) });
    await producer.send({ topic: topicOf(ns, 'ingest.downloads.v1'), messages, acks: -1 });
    await producer.disconnect();
  }

  it('decodes, processes and carries out every declared effect', async () => {
    await produce([download(1), download(2), download(3)]);
    const out = await readAll<LocateQuery>(ns, topicOf(ns, 'locate.queries.v1'), { atLeast: 3 });
    expect(out.map((r) => r.value.queryId).sort()).toEqual([download(1), download(2), download(3)].map((d) => d.eventId));
    expect(out[0]!.value).toMatchObject({ apiKeyId: 'it:site-1', region: 'FR', kind: 'region' });

    const rows = await cql.execute(`SELECT event_id, product FROM ${keyspace}.copies`);
    expect(rows.rows.map((r) => r.event_id as string).sort()).toEqual(out.map((r) => r.value.queryId).sort());
    const result = await ch.query({ query: `SELECT count() AS n FROM ${database}.copies FINAL`, format: 'JSONEachRow' });
    expect(Number(((await result.json()) as { n: string }[])[0]!.n)).toBe(3);
    await eventually('metrics', async () => (runtime.metrics.consumed >= 3 ? true : undefined));
    expect(runtime.metrics.snapshot()).toMatchObject({ consumed: 3, produced: 3, deadLettered: 0, scyllaRows: 3, clickhouseRows: 3, lag: 0 });
  });

  it('dead-letters what it cannot process, with reason and original bytes, and goes on', async () => {
    const notAvro = Buffer.from('this is not avro');
    const unknownSchema = Buffer.from([0, 0x7f, 0x00, 0x00, 0x01, 2, 3]);
    await produce([notAvro, download(10, ''), unknownSchema, download(11, 'invalid'), download(12, 'explode'), download(13)]);

    const letters = await readAll<DeadLetter>(ns, topicOf(ns, 'deadletter.v1'), { atLeast: 5 });
    expect(letters).toHaveLength(5);
    const byReason = new Map(letters.map((l) => [l.value.reasonCode, l.value]));
    expect([...byReason.keys()].sort()).toEqual(['VANE_ERR_DECODE', 'VANE_ERR_PROCESS', 'VANE_ERR_TEST_INVALID', 'VANE_ERR_UNKNOWN_SCHEMA', 'VANE_ERR_VALIDATION']);
    expect(byReason.get('VANE_ERR_DECODE')!.value).toEqual(notAvro);
    expect(byReason.get('VANE_ERR_DECODE')!.message).toContain('magic byte');
    expect(byReason.get('VANE_ERR_UNKNOWN_SCHEMA')!.value).toEqual(unknownSchema);
    expect(byReason.get('VANE_ERR_VALIDATION')!.message).toBe('product is empty');
    expect(byReason.get('VANE_ERR_PROCESS')!.message).toContain('processor bug');
    for (const l of letters) {
      expect(l.key).toBe(topicOf(ns, 'ingest.downloads.v1'));
      expect(l.value.sourceTopic).toBe(topicOf(ns, 'ingest.downloads.v1'));
      expect(l.value.processor).toBe(runtime.groupId);
    }
    // The record after the bad ones was processed.
    const out = await readAll<LocateQuery>(ns, topicOf(ns, 'locate.queries.v1'), { atLeast: 4 });
    expect(out.map((r) => r.value.queryId)).toContain(download(13).eventId);
    expect(out).toHaveLength(4);
  });
});
