// The DNS gateway in process (answer(), no sockets): how long malformed
// messages take to be answered or dropped, and the realistic app's answers
// alone and while another app of the same gateway loops to its 50 ms time
// limit back to back. Run by bench:dns after the wire micro-benchmark (or
// alone: node scripts/lib/run-ts.js scripts/bench/dns/in-process.ts).
import { AppHost, MemoryDecisionSink } from '@vane/apps';
import { openGeo } from '@vane/network';
import { build } from '@vane/dns';
import { query } from '@vane/test-support/dns-queries';
import { besideHostile, printBesideHostile } from '../lib/hostile-neighbour';
import { middle, printTable } from '../lib/report';
import { CLIENT_SUBNET, HOSTILE_HOSTNAME, ZONE, benchConfig, benchScores, withHostileApp } from './routing-config';

/** The malformed messages of the DNS unit test: 500 of 0–79 bytes, QR clear. */
function junkMessages(): Buffer[] {
  const all: Buffer[] = [];
  for (let i = 0; i < 500; i++) {
    const junk = Buffer.alloc(i % 80);
    for (let j = 0; j < junk.length; j++) junk[j] = (i * 131 + j * 17) & 0xff;
    if (junk.length > 2) junk[2] = junk[2]! & 0x7f;
    all.push(junk);
  }
  return all;
}

export async function dnsInProcess(rounds = 3, samples = 300): Promise<void> {
  const config = withHostileApp(benchConfig());
  const host = new AppHost({ config, scores: benchScores(), limits: { timeoutMs: 50, memoryMb: 16, maxFailures: 1_000_000 } });
  await host.start();
  const sink = new MemoryDecisionSink<'decisions.dns.v1'>();
  const gateway = build({ config, host, geo: openGeo(), sink });
  const ask = async (message: Buffer): Promise<Buffer | null> => {
    const answer = await gateway.answer(message, 'udp', '127.0.0.1');
    if (sink.records.length > 10_000) sink.records.length = 0;
    return answer;
  };
  try {
    const junk = junkMessages();
    // A 12-byte header claiming 65535 records in every section.
    const counts = Buffer.from([0x12, 0x35, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const walks: number[] = [];
    const headers: number[] = [];
    let answered = 0;
    for (let round = 0; round < rounds + 1; round++) {
      let t = process.hrtime.bigint();
      answered = 0;
      for (const m of junk) if (await ask(m)) answered++;
      if (round > 0) walks.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      for (let i = 0; i < 1000; i++) await ask(counts);
      if (round > 0) headers.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    printTable(`DNS in process: malformed messages answered (FORMERR, NOTIMP…) or dropped; medians of ${rounds} rounds`, [
      { name: `${junk.length} junk messages`, figures: { 'total ms': middle(walks).toFixed(2), 'µs/message': ((1000 * middle(walks)) / junk.length).toFixed(2), answered } },
      { name: 'header claiming 65535 records', figures: { 'total ms': middle(headers).toFixed(2), 'µs/message': (middle(headers)).toFixed(2), answered: 1000 } },
    ]);

    const good = query(`www.${ZONE}`, { ecs: CLIENT_SUBNET });
    const hostile = query(HOSTILE_HOSTNAME);
    const r = await besideHostile(() => ask(good), () => ask(hostile), { rounds, samples, hammers: 2 });
    printBesideHostile(`DNS in process: www.${ZONE} alone and beside ${HOSTILE_HOSTNAME} (loops to its 50 ms limit, 2 callers); ${samples} answers per round, medians of ${rounds} rounds`, r);
  } finally {
    gateway.close();
    host.stop();
  }
}

if (process.argv[1] === __filename) void dnsInProcess();
