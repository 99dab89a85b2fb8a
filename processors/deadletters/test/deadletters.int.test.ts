import type { ClickHouseClient } from '@clickhouse/client';
import { ProcessorRuntime, createClickhouseClient } from '@vane/runtime';
import type { DeadLetter } from '@vane/schemas';
import { createKafka, valueSubjectOf } from '@vane/topics';
import type { DeadlettersOptions } from '../src/options';
import { deadlettersProcessor } from '../src/processor';
import { createNamespace, eventually, randomName, topicOf, type TestNamespace } from '@vane/test-support/fixtures';

interface Row {
  source_topic: string;
  source_partition: number;
  source_offset: string;
  processor: string;
  reason_code: string;
  message: string;
  key_base64: string;
  value_base64: string;
  value_bytes: number;
}

const at = Date.UTC(2026, 10, 22, 18, 0, 0);
const letters: DeadLetter[] = [
  { sourceTopic: 'ingest.measurements.v1', partition: 2, offset: 41, sourceTimestamp: at - 5000, key: Buffer.from('DE'), value: Buffer.from('not avro'), headers: {}, reasonCode: 'VANE_ERR_DECODE', message: 'magic byte 0x6e', processor: 'vane.scorer-windows', at },
  { sourceTopic: 'decisions.dns.v1', partition: 0, offset: 7, sourceTimestamp: null, key: null, value: Buffer.alloc(0), headers: {}, reasonCode: 'VANE_ERR_VALIDATION', message: 'empty value', processor: 'vane.decisions-dns-loader', at: at + 1000 },
];

describe('deadletters loader on the local stack', () => {
  let ns: TestNamespace;
  let ch: ClickHouseClient;
  const runtimes: ProcessorRuntime<'deadletter.v1', DeadlettersOptions>[] = [];
  const database = randomName('t_');

  beforeAll(async () => {
    ns = await createNamespace();
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    for (const r of runtimes) await r.stop();
    await ch?.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch?.close();
    await ns?.cleanup();
  });

  async function start(group: string): Promise<ProcessorRuntime<'deadletter.v1', DeadlettersOptions>> {
    const runtime = new ProcessorRuntime(deadlettersProcessor, { connections: { ...ns.connections, clickhouseDatabase: database }, naming: ns.naming, groupId: `${ns.naming.prefix}${group}`, log: () => undefined });
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
  }

  async function rows(final: boolean): Promise<Row[]> {
    const result = await ch.query({ query: `SELECT * FROM ${database}.deadletters ${final ? 'FINAL' : ''} ORDER BY source_topic, source_offset`, format: 'JSONEachRow' });
    return (await result.json()) as Row[];
  }

  it('loads each dead letter into its row, and processing the same offsets twice leaves one row each', async () => {
    const producer = createKafka(ns.connections, 'test').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const subject = valueSubjectOf('deadletter.v1', ns.naming);
    await producer.send({ topic: topicOf(ns, 'deadletter.v1'), acks: -1, messages: await Promise.all(letters.map(async (l) => ({ key: l.sourceTopic, value: await ns.codec.encode(subject, l) }))) });
    await producer.disconnect();

    const first = await start('vane.deadletters');
    const loaded = await eventually('2 dead letters in ClickHouse', async () => {
      const r = await rows(true).catch(() => []);
      return r.length >= 2 ? r : undefined;
    }, 90_000, 500);
    expect(loaded).toEqual([
      { source_topic: 'decisions.dns.v1', source_partition: 0, source_offset: '7', processor: 'vane.decisions-dns-loader', reason_code: 'VANE_ERR_VALIDATION', message: 'empty value', at: '2026-11-22 18:00:01', source_time: '2026-11-22 18:00:01', key_base64: '', value_base64: '', value_bytes: 0 },
      { source_topic: 'ingest.measurements.v1', source_partition: 2, source_offset: '41', processor: 'vane.scorer-windows', reason_code: 'VANE_ERR_DECODE', message: 'magic byte 0x6e', at: '2026-11-22 18:00:00', source_time: '2026-11-22 17:59:55', key_base64: 'REU=', value_base64: Buffer.from('not avro').toString('base64'), value_bytes: 8 },
    ]);
    expect(first.metrics.deadLettered).toBe(0);

    // A second consumer group reads the same offsets again: the rows are written twice and collapse into one each.
    await start('vane.deadletters-again');
    await eventually('the second load', async () => ((await rows(false)).length >= 4 ? true : undefined), 90_000, 500);
    expect(await rows(true)).toEqual(loaded);
  });
});
