// DNS wire code: the gateway's own query walk and answer writer
// (gateways/dns wire-check.ts, dns-writer.ts) against dns2's Packet.parse and
// toBuffer for the same query and the same answer, in one process, rounds
// alternating. Run by bench:dns after the server comparison (or alone:
// node scripts/lib/run-ts.js scripts/bench/dns/wire.ts). Prints one ratio line
// and dns2's cost on a hostile 12-byte query that claims 65535 records.
import { Packet } from 'dns2';
import { T, checkWire, encodeResponse } from '@vane/dns/wire';
import { printTable } from '../lib/report';

const NAME = 'www.bench-cdn.example';

/** A query for NAME A with EDNS (1232) and ECS 62.155.1.0/24, as dnsperf -E sends it. */
function sampleQuery(): Buffer {
  const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]);
  const labels = Buffer.concat([...NAME.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const question = Buffer.concat([labels, Buffer.from([0, 1, 0, 1])]);
  const ecs = Buffer.from([0, 8, 0, 7, 0, 1, 24, 0, 62, 155, 1]);
  const opt = Buffer.concat([Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, ecs.length]), ecs]);
  return Buffer.concat([header, question, opt]);
}

function vaneAnswer(query: Buffer): Buffer {
  const v = checkWire(query);
  if (v.kind !== 'ok') throw new Error(`the sample query does not pass the walk: ${v.kind}`);
  const ecs = v.opt?.ecs;
  return encodeResponse({
    query,
    questionEnd: v.questionEnd,
    aa: true,
    tc: false,
    rcode: 0,
    answers: [{ type: T.CNAME, owner: { query: true }, ttl: 30, target: 'acme.cdn-a.net' }],
    authorities: [],
    opt: { udpPayloadSize: 1232, extendedRcode: 0, ecs: ecs ? { family: ecs.family, sourcePrefix: ecs.sourcePrefix, scopePrefix: 24, address: ecs.address.slice(0, 3).join('.') + '.0' } : null },
  });
}

function dns2Answer(query: Buffer): Buffer {
  const request = Packet.parse(query);
  const response = Packet.createResponseFromRequest(request);
  const question = request.questions[0]!;
  response.header.aa = 1;
  response.answers.push({ name: question.name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 30, domain: 'acme.cdn-a.net' } as Packet.Resource);
  const opt = request.additionals.find((r) => r.type === Packet.TYPE.EDNS) as (Packet.Resource & { rdata?: unknown[] }) | undefined;
  if (opt) response.additionals.push({ name: '', type: Packet.TYPE.EDNS, class: 1232, ttl: 0, rdata: opt.rdata ?? [] } as unknown as Packet.Resource);
  return response.toBuffer();
}

/** Answers per second of `fn` over about `ms` of work. */
function rate(fn: (q: Buffer) => Buffer, query: Buffer, ms: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 1000; i++) fn(query);
    n += 1000;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function wireBenchmark(rounds = 3, ms = 1500): void {
  const query = sampleQuery();
  // Both must produce a parsable answer to the same question.
  for (const answer of [vaneAnswer(query), dns2Answer(query)]) {
    const parsed = Packet.parse(answer);
    if (parsed.answers.length !== 1 || parsed.questions[0]?.name !== NAME) throw new Error('an answer does not carry the expected question and record');
  }
  rate(vaneAnswer, query, 300);
  rate(dns2Answer, query, 300);
  const vane: number[] = [];
  const dns2: number[] = [];
  for (let round = 0; round < rounds; round++) {
    vane.push(rate(vaneAnswer, query, ms));
    dns2.push(rate(dns2Answer, query, ms));
  }
  // dns2 3.x on a 12-byte query claiming 65535 records in every section.
  const hostile = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const t0 = process.hrtime.bigint();
  let dns2Hostile = 'parsed';
  try {
    const p = Packet.parse(hostile);
    dns2Hostile = `parsed, ${(p as unknown as { errors?: unknown[] }).errors?.length ?? 0} errors`;
  } catch (error) {
    dns2Hostile = `threw: ${(error as Error).message.slice(0, 60)}`;
  }
  const hostileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  const verdict = checkWire(hostile).kind;
  const vaneHostileMs = Number(process.hrtime.bigint() - t1) / 1e6;
  printTable(`DNS wire code: parse a query (ECS) and write its CNAME answer, in process; medians of ${rounds} rounds`, [
    { name: 'dns2 Packet.parse + toBuffer', figures: { 'answers/s': Math.round(median(dns2)), 'µs/answer': (1e6 / median(dns2)).toFixed(2), 'hostile query': `${hostileMs.toFixed(2)} ms (${dns2Hostile})` } },
    { name: 'vane checkWire + encodeResponse', figures: { 'answers/s': Math.round(median(vane)), 'µs/answer': (1e6 / median(vane)).toFixed(2), 'hostile query': `${vaneHostileMs.toFixed(3)} ms (${verdict})` } },
  ]);
  process.stdout.write(`\nratio vane-wire/dns2-wire: ${(median(vane) / median(dns2)).toFixed(2)} (> 1: Vane's own wire code is faster; it stays)\n`);
}

if (process.argv[1] === __filename) wireBenchmark();
