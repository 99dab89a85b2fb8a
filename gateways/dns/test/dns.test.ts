import { Packet } from 'dns2';
import { AppHost, MemoryDecisionSink, type MemoryScores } from '@vane/apps';
import { openGeo } from '@vane/network';
import { build, type DnsGateway } from '../src/app';
import type { ConfigFixture } from '@vane/test-support/config-fixture';
import { dnsFixture, dnsScores, many } from './support/fixture';
import { parse, query, type QueryOptions } from '@vane/test-support/dns-queries';

const { TYPE } = Packet;

describe('DNS gateway (answers without sockets)', () => {
  let fixture: ConfigFixture;
  let scores: MemoryScores;
  let host: AppHost;
  let sink: MemoryDecisionSink<'decisions.dns.v1'>;
  let gateway: DnsGateway;

  beforeAll(async () => {
    fixture = dnsFixture();
    scores = dnsScores();
    host = new AppHost({ config: fixture.state, scores, limits: { timeoutMs: 50, memoryMb: 16, maxFailures: 1000 } });
    await host.start();
    sink = new MemoryDecisionSink();
    gateway = build({ settings: { nameservers: ['ns1.acme-dns.example', 'ns2.acme-dns.example'], hostmaster: 'hostmaster.acme.example' }, config: fixture.state, host, geo: openGeo(), sink });
  });

  afterAll(() => {
    gateway.close();
    host.stop();
  });

  async function ask(name: string, options: QueryOptions = {}, transport: 'udp' | 'tcp' = 'udp', peer = '127.0.0.1') {
    const bytes = await gateway.answer(query(name, options), transport, peer);
    return bytes ? { ...parse(bytes), size: bytes.length } : null;
  }

  it('answers an app hostname with the CNAME the app chose, authoritatively', async () => {
    const res = await ask('www.acme-cdn.example');
    expect(res).toMatchObject({ id: 4242, rcode: 0, aa: 1, tc: 0, questions: [{ name: 'www.acme-cdn.example', type: TYPE.A }] });
    expect(res!.answers).toEqual([expect.objectContaining({ name: 'www.acme-cdn.example', type: TYPE.CNAME, ttl: 30, domain: 'acme.cdn-a.net' })]);
  });

  it('keeps the question case (0x20) and answers wildcard names', async () => {
    const res = await ask('WwW.AcMe-CdN.example');
    expect(res!.questions[0]!.name).toBe('WwW.AcMe-CdN.example');
    expect(res!.answers[0]).toMatchObject({ name: 'WwW.AcMe-CdN.example', domain: 'acme.cdn-a.net' });
    expect((await ask('a.b.img.acme-cdn.example'))!.answers[0]).toMatchObject({ type: TYPE.CNAME, domain: 'acme.cdn-a.net' });
  });

  it('ECS drives the geo decision and comes back with its scope', async () => {
    const de = await ask('www.acme-cdn.example', { ecs: '62.155.1.0/24' });
    expect(de!.answers[0]!.domain).toBe('acme.cdn-a.net');
    expect(de!.ecs).toEqual({ sourcePrefixLength: 24, scopePrefixLength: 24, ip: '62.155.1.0' });
    const us = await ask('www.acme-cdn.example', { ecs: '8.8.8.0/24' });
    expect(us!.answers[0]!.domain).toBe('acme.cdn-b.net');
    // A /16 is located as a /16, and the answer says so.
    const wide = await ask('www.acme-cdn.example', { ecs: '62.155.0.0/16' });
    expect(wide!.ecs).toMatchObject({ sourcePrefixLength: 16, scopePrefixLength: 16 });
    // A /32 is used as its /24 only.
    const narrow = await ask('www.acme-cdn.example', { ecs: '8.8.8.8/32' });
    expect(narrow!.ecs).toMatchObject({ sourcePrefixLength: 32, scopePrefixLength: 24 });
    expect(narrow!.answers[0]!.domain).toBe('acme.cdn-b.net');
    // Source prefix 0: the resolver's own network (unknown here: global scores).
    const none = await ask('www.acme-cdn.example', { ecs: '0.0.0.0/0' });
    expect(none!.ecs).toMatchObject({ sourcePrefixLength: 0, scopePrefixLength: 0 });
    expect(none!.answers[0]!.domain).toBe('acme.cdn-a.net');
    const v6 = await ask('www.acme-cdn.example', { ecs: '2003:e1:1234::/48' });
    expect(v6!.ecs).toMatchObject({ sourcePrefixLength: 48, scopePrefixLength: 48 });
  });

  it('answers the scores as they change', async () => {
    scores.set('cdn-b', { locationKey: 'country:DE', rttP50: 5, availability: 0.99 });
    expect((await ask('www.acme-cdn.example', { ecs: '62.155.1.0/24' }))!.answers[0]!.domain).toBe('acme.cdn-b.net');
    scores.set('cdn-b', { locationKey: 'country:DE', rttP50: 35, availability: 0.99 });
    expect((await ask('www.acme-cdn.example', { ecs: '62.155.1.0/24' }))!.answers[0]!.domain).toBe('acme.cdn-a.net');
  });

  it('answers SOA and NS at the apex, NXDOMAIN and NODATA with the SOA, REFUSED outside its zones', async () => {
    const soa = await ask('acme-cdn.example', { type: TYPE.SOA });
    expect(soa!.answers).toEqual([expect.objectContaining({ type: TYPE.SOA, primary: 'ns1.acme-dns.example', minimum: 60 })]);
    const ns = await ask('acme-cdn.example', { type: TYPE.NS });
    expect(ns!.answers.map((a) => a.ns)).toEqual(['ns1.acme-dns.example', 'ns2.acme-dns.example']);
    const nx = await ask('nothing.acme-cdn.example');
    expect(nx).toMatchObject({ rcode: 3, aa: 1, answers: [] });
    expect(nx!.authorities).toEqual([expect.objectContaining({ name: 'acme-cdn.example', type: TYPE.SOA, ttl: 60 })]);
    // An existing name without that type, and an empty non-terminal.
    for (const [name, type] of [['www.acme-cdn.example', TYPE.MX], ['img.acme-cdn.example', TYPE.A], ['www.acme-cdn.example', 65]] as const) {
      const nodata = await ask(name, { type });
      expect([name, nodata!.rcode, nodata!.answers.length, nodata!.authorities[0]!.type]).toEqual([name, 0, 0, TYPE.SOA]);
    }
    // A CNAME never answers at the apex (it would hide SOA and NS): NODATA.
    expect(await ask('acme-cdn.example')).toMatchObject({ rcode: 0, answers: [] });
    expect(await ask('www.example.org')).toMatchObject({ rcode: 5, aa: 0, answers: [] });
    expect(await ask('acme-cdn.example', { type: 252 }, 'tcp')).toMatchObject({ rcode: 5 });
    expect(await ask('www.acme-cdn.example', { cls: Packet.CLASS.CH })).toMatchObject({ rcode: 5 });
    // An app without a published version: SERVFAIL, never NXDOMAIN (it would be cached).
    expect(await ask('draft.acme-cdn.example')).toMatchObject({ rcode: 2 });
  });

  it('answers A/AAAA from addresses, and truncates over UDP what does not fit', async () => {
    const udp = await ask('many.acme-cdn.example', { type: TYPE.AAAA });
    expect(udp).toMatchObject({ tc: 1, rcode: 0, answers: [] });
    expect(udp!.size).toBeLessThanOrEqual(512);
    const tcp = await ask('many.acme-cdn.example', { type: TYPE.AAAA }, 'tcp');
    expect(tcp).toMatchObject({ tc: 0 });
    expect(tcp!.answers.map((a) => a.address)).toEqual(many);
    // With EDNS and room enough, UDP carries it all.
    const edns = await ask('many.acme-cdn.example', { type: TYPE.AAAA, edns: 4096 });
    expect(edns).toMatchObject({ tc: 0, opt: { class: 1232 } });
    expect(edns!.answers).toHaveLength(30);
    // No IPv4 address and no CNAME: NODATA for A.
    expect(await ask('many.acme-cdn.example', { type: TYPE.A })).toMatchObject({ rcode: 0, answers: [] });
  });

  it('refuses malformed and unsupported queries with FORMERR, NOTIMP, BADVERS, and drops responses', async () => {
    const two = new Packet();
    two.header.id = 7;
    two.questions.push({ name: 'a.acme-cdn.example', type: 1, class: 1 } as Packet.Question, { name: 'b.acme-cdn.example', type: 1, class: 1 } as Packet.Question);
    expect(parse((await gateway.answer(two.toBuffer(), 'udp', '127.0.0.1'))!)).toMatchObject({ id: 7, rcode: 1 });
    // A header that promises a question the message does not carry, or 65535 of every record.
    const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
    expect(parse((await gateway.answer(header, 'udp', '127.0.0.1'))!)).toMatchObject({ id: 0x1234, rcode: 1, questions: [] });
    // (What walking such a header costs is a figure of npm run bench:dns.)
    const counts = Buffer.from([0x12, 0x35, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(parse((await gateway.answer(counts, 'udp', '127.0.0.1'))!)).toMatchObject({ id: 0x1235, rcode: 1 });
    // Too short for a header: dropped.
    expect(await gateway.answer(Buffer.from([1, 2, 3]), 'udp', '127.0.0.1')).toBeNull();
    const notify = Packet.parse(query('www.acme-cdn.example'));
    notify.header.opcode = 4;
    expect(parse((await gateway.answer(notify.toBuffer(), 'udp', '127.0.0.1'))!)).toMatchObject({ rcode: 4 });
    expect(await ask('www.acme-cdn.example', { edns: 1232, ednsVersion: 1 })).toMatchObject({ rcode: 16, opt: { extendedRcode: 1 } });
    // ECS with bits set past its prefix (RFC 7871 §6), or a prefix longer than the family has.
    expect(await ask('www.acme-cdn.example', { ecs: '62.155.1.0/23' })).toMatchObject({ rcode: 1 });
    expect(await ask('www.acme-cdn.example', { ecs: '62.155.1.0/33' })).toMatchObject({ rcode: 1 });
    const response = Packet.parse(query('www.acme-cdn.example'));
    response.header.qr = 1;
    expect(await gateway.answer(response.toBuffer(), 'udp', '127.0.0.1')).toBeNull();
  });

  it('reads ECS after options dns2 does not know (a COOKIE first)', async () => {
    const plain = query('www.acme-cdn.example');
    const options = Buffer.concat([
      Buffer.from([0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]), // COOKIE (client cookie only)
      Buffer.from([0, 8, 0, 7, 0, 1, 24, 0, 8, 8, 8]), // ECS 8.8.8.0/24
    ]);
    const opt = Buffer.concat([Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0]), Buffer.from([options.length >> 8, options.length & 0xff]), options]);
    const message = Buffer.concat([plain, opt]);
    message.writeUInt16BE(1, 10);
    const res = parse((await gateway.answer(message, 'udp', '127.0.0.1'))!);
    expect(res.answers[0]!.domain).toBe('acme.cdn-b.net');
    expect(res.ecs).toEqual({ sourcePrefixLength: 24, scopePrefixLength: 24, ip: '8.8.8.0' });
  });

  it('walks junk: every malformed message is answered as a response to its id, or dropped', async () => {
    // (How long the walk takes is a figure of npm run bench:dns.)
    let answered = 0;
    for (let i = 0; i < 500; i++) {
      const junk = Buffer.alloc(i % 80);
      for (let j = 0; j < junk.length; j++) junk[j] = (i * 131 + j * 17) & 0xff;
      if (junk.length > 2) junk[2] = junk[2]! & 0x7f;
      const answer = await gateway.answer(junk, 'udp', '127.0.0.1');
      if (answer) {
        answered++;
        expect([answer.readUInt16BE(0), answer[2]! & 0x80]).toEqual([junk.readUInt16BE(0), 0x80]);
      }
    }
    expect(answered).toBeGreaterThan(300);
  });

  it('hostile apps answer their fallback; the others keep answering while they loop', async () => {
    // Throwing apps first: a loop or bomb keeps the app's own isolate busy for a moment after its deadline.
    for (const label of ['throw', 'process', 'require', 'loop', 'bomb']) {
      const res = await ask(`${label}.acme-cdn.example`);
      expect([label, res!.rcode, res!.answers[0]?.domain]).toEqual([label, 0, 'origin.acme.example']);
    }
    const reasons = sink.records.filter((r) => r.value.appId === 'acme.hostile').map((r) => [r.value.qname.split('.')[0], r.value.reasonCode, r.value.fallback]);
    expect(reasons).toEqual([
      ['throw', 'app_error', true],
      ['process', 'app_error', true],
      ['require', 'app_error', true],
      ['loop', 'app_timeout', true],
      ['bomb', expect.stringMatching(/^app_(memory|timeout)$/), true],
    ]);
    const good = async (): Promise<void> => {
      const res = await ask('www.acme-cdn.example', { ecs: '62.155.1.0/24' });
      expect(res!.answers[0]!.domain).toBe('acme.cdn-a.net');
    };
    let stop = false;
    const hammer = (label: string) =>
      (async () => {
        while (!stop) await ask(`${label}.acme-cdn.example`);
      })();
    const hammers = [hammer('loop'), hammer('bomb')];
    for (let i = 0; i < 50; i++) await good();
    stop = true;
    await Promise.all(hammers);
    // Not queued behind the hostile apps: the answer comes while a looping call still runs toward its time limit.
    // (Latency under hostile load is a figure of npm run bench:dns.)
    let looping = true;
    const loop = ask('loop.acme-cdn.example').then((res) => {
      looping = false;
      return res;
    });
    await good();
    expect(looping).toBe(true);
    expect((await loop)!.answers[0]?.domain).toBe('origin.acme.example');
  });

  it('pushes one decision record per app answer, matching what was answered', async () => {
    sink.records.length = 0;
    await ask('Video.acme-cdn.example', { ecs: '8.8.8.0/24', type: TYPE.AAAA }, 'udp', '62.155.1.99');
    await ask('many.acme-cdn.example', { type: TYPE.AAAA }, 'tcp', '::ffff:8.8.4.4');
    await ask('nothing.acme-cdn.example');
    expect(sink.records.map((r) => r.key)).toEqual(['acme.video', 'acme.many']);
    expect(sink.records[0]!.value).toMatchObject({
      appId: 'acme.video',
      appVersion: 1,
      tenantId: 'acme',
      qname: 'video.acme-cdn.example',
      qtype: 'AAAA',
      client: { truncatedIp: '8.8.8.0/24', country: 'US', asn: 15169 },
      ecsSubnet: '8.8.8.0/24',
      resolver: { truncatedIp: '62.155.1.0/24', country: 'DE' },
      answerProvider: 'cdn-b',
      answerTarget: 'acme.cdn-b.net',
      ttl: 30,
      reasonCode: 'best_rtt',
      fallback: false,
    });
    expect(sink.records[1]!.value).toMatchObject({ qtype: 'AAAA', ecsSubnet: null, resolver: { truncatedIp: '8.8.4.0/24' }, answerTarget: many.join(','), reasonCode: 'many' });
  });
});
