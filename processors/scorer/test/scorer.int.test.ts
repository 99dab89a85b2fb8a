import type { ClickHouseClient } from '@clickhouse/client';
import type { Client } from 'cassandra-driver';
import type { Score } from '@vane/schemas';
import { createClickhouseClient, createScyllaClient } from '@vane/runtime';
import { ScorerPipeline } from '../src/pipeline';
import { scorerOptions } from '../src/processor';
import { createNamespace, eventually, randomName, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { knownMeasurements, latestScores, produceMeasurements } from '@vane/test-support/scorer-data';
import { runScorerInMemory } from '@vane/test-support/scorer-harness';

const raw = { maxIntervalMs: 500, allowedLatenessMs: 60_000 };
const options = scorerOptions(raw);

describe('the scorer on the local stack', () => {
  let ns: TestNamespace;
  let pipeline: ScorerPipeline;
  let cql: Client;
  let ch: ClickHouseClient;
  const keyspace = randomName('t_');
  const database = randomName('t_');
  const data = knownMeasurements();
  const expected = runScorerInMemory(data, options);
  const total = data.reduce((n, p) => n + p.length, 0);

  beforeAll(async () => {
    ns = await createNamespace();
    const connections = { ...ns.connections, scyllaKeyspace: keyspace, clickhouseDatabase: database };
    pipeline = new ScorerPipeline({ connections, naming: ns.naming, processorOptions: raw, log: () => undefined, maxBatchRecords: 200 });
    await pipeline.start();
    cql = createScyllaClient(ns.connections);
    ch = createClickhouseClient(ns.connections);
  });

  afterAll(async () => {
    await pipeline.stop();
    await cql.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await cql.shutdown();
    await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
    await ch.close();
    await ns.cleanup();
  });

  it('turns known measurements into the expected scores in scores.v1, Scylla and ClickHouse', async () => {
    // Hand-checked figures of the reference (in-memory) run.
    const global = expected.scores.get('cdn-a|global')!;
    expect(global.samples).toBe(6 * (20 + 5));
    expect(global.availability).toBe(0.6); // probes at i = 0,4,8,12,16; up at 0,8,16 — all in one bucket
    expect(expected.scores.get('cdn-b|asn:FR:12322')!.samples).toBe(2 * (20 + 4));
    expect(expected.scores.size).toBe(2 * (3 + 2 + 1 + 1));

    await produceMeasurements(ns, data);

    const scores = await eventually('scores.v1 to settle on the expected scores', async () => {
      const latest = await latestScores(ns, topicOf(ns, 'scores.v1'), expected.scores.size);
      for (const [key, score] of expected.scores) if (JSON.stringify(latest.get(key)) !== JSON.stringify(score)) return undefined;
      return latest;
    }, 90_000, 1000);
    expect(scores.size).toBe(expected.scores.size);
    expect(scores.get('cdn-a|global')).toEqual(global);

    // Scylla: the serving table holds the same figures.
    const rows = await cql.execute(`SELECT * FROM ${keyspace}.scores`);
    expect(rows.rows).toHaveLength(expected.scores.size);
    for (const row of rows.rows) {
      const score = expected.scores.get(`${row.provider as string}|${row.location_key as string}`) as Score;
      expect({
        level: row.level,
        rttP50: row.rtt_p50,
        rttP90: row.rtt_p90,
        availability: row.availability,
        throughputP50: row.throughput_p50,
        samples: Number(row.samples),
        confidence: row.confidence,
        windowEnd: (row.window_end as Date).getTime(),
        computedAt: (row.computed_at as Date).getTime(),
        sourceOffsets: row.source_offsets,
        lateDropped: Number(row.late_dropped),
      }).toEqual({
        level: score.level,
        rttP50: score.rttP50,
        rttP90: score.rttP90,
        availability: score.availability,
        throughputP50: score.throughputP50,
        samples: score.samples,
        confidence: score.confidence,
        windowEnd: score.windowEnd,
        computedAt: score.computedAt,
        sourceOffsets: score.sourceOffsets,
        // One late cdn-a measurement per source partition.
        lateDropped: score.provider === 'cdn-a' ? Object.keys(JSON.parse(score.sourceOffsets!) as object).length : 0,
      });
    }

    // ClickHouse: the latest published score per key, and every raw measurement with its late flag.
    const history = await ch.query({
      query: `SELECT provider, location_key, argMax(samples, src_offset) AS samples, argMax(rtt_p50, src_offset) AS rtt_p50, argMax(availability, src_offset) AS availability, argMax(computed_ms, src_offset) AS computed_ms FROM ${database}.scores_history GROUP BY provider, location_key`,
      format: 'JSONEachRow',
    });
    const latest = (await history.json()) as { provider: string; location_key: string; samples: string; rtt_p50: number | null; availability: number | null; computed_ms: string }[];
    expect(latest).toHaveLength(expected.scores.size);
    for (const h of latest) {
      const score = expected.scores.get(`${h.provider}|${h.location_key}`)!;
      expect({ samples: Number(h.samples), rttP50: h.rtt_p50, availability: h.availability, computedAt: Number(h.computed_ms) }).toEqual({
        samples: score.samples,
        rttP50: score.rttP50,
        availability: score.availability,
        computedAt: score.computedAt,
      });
    }
    const count = async (table: string): Promise<number> => {
      const result = await ch.query({ query: `SELECT count() AS n FROM ${database}.${table} FINAL`, format: 'JSONEachRow' });
      return Number(((await result.json()) as { n: string }[])[0]!.n);
    };
    await eventually('every raw measurement loaded', async () => ((await count('measurements')) === total ? true : undefined), 30_000);
    expect(await count('measurements_late')).toBe(6);
    expect(expected.lateRows).toHaveLength(6);
  });
});
