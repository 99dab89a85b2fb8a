import type { Measurement, Score } from '@vane/schemas';
import { createKafka, valueSubjectOf } from '@vane/topics';
import { readAll, topicOf, type TestNamespace } from './fixtures';
import { measurement } from './scorer-harness';

export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

const net = (asn: number | null, country: string | null, continent: string | null) => ({ truncatedIp: '198.51.100.0/24', country, continent, region: null, asn, asnOrg: null });

/**
 * A known data set, per input partition (6): two providers, three ASNs in
 * two countries, every probe type, and one late measurement per partition.
 * `scale` multiplies the rtt measurements (for the crash test).
 */
export function knownMeasurements(scale = 1, at = T0): Measurement[][] {
  const parts: Measurement[][] = [[], [], [], [], [], []];
  const clients = [net(3320, 'DE', 'EU'), net(6805, 'DE', 'EU'), net(12322, 'FR', 'EU')];
  for (let p = 0; p < 6; p++) {
    const client = clients[p % 3]!;
    for (let i = 0; i < 20 * scale; i++) {
      const t = at + i * 2000 + p * 100;
      parts[p]!.push(measurement({ at: t, provider: 'cdn-a', value: 20 + p * 5 + (i % 7), client }));
      parts[p]!.push(measurement({ at: t, provider: 'cdn-b', value: 40 + p * 3 + (i % 11), client }));
      if (i % 4 === 0) parts[p]!.push(measurement({ at: t, provider: 'cdn-a', probeType: 'availability', value: i % 8 === 0 ? 1 : 0, client }));
      if (i % 5 === 0) parts[p]!.push(measurement({ at: t, provider: 'cdn-b', probeType: 'throughput', value: 5000 + i * 100, client }));
    }
    // Far behind the partition's watermark: counted and dropped.
    parts[p]!.push(measurement({ at: at - 600_000, provider: 'cdn-a', value: 999, client }));
  }
  return parts;
}

/** Produces each partition's measurements to that partition of ingest.measurements.v1, in order. */
export async function produceMeasurements(ns: TestNamespace, parts: Measurement[][]): Promise<void> {
  const producer = createKafka(ns.connections, 'test').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const subject = valueSubjectOf('ingest.measurements.v1', ns.naming);
  for (let p = 0; p < parts.length; p++) {
    const messages = [];
    for (const m of parts[p]!) messages.push({ key: m.client.country ?? 'global', partition: p, value: await ns.codec.encode(subject, m) });
    for (let i = 0; i < messages.length; i += 500) {
      await producer.send({ topic: topicOf(ns, 'ingest.measurements.v1'), messages: messages.slice(i, i + 500), acks: -1 });
    }
  }
  await producer.disconnect();
}

/** The latest value per key of a (compacted) scores topic. */
export async function latestScores(ns: TestNamespace, topic: string, atLeast: number): Promise<Map<string, Score>> {
  const records = await readAll<Score>(ns, topic, { atLeast, idleMs: 2000 });
  const latest = new Map<string, Score>();
  for (const r of records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))) {
    if (r.key) latest.set(r.key, r.value);
  }
  return latest;
}
