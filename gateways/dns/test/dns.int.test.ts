import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import type { DnsDecision } from '@vane/schemas';
import { resolveSettings } from '../src/options';
import { startGateway, type RunningGateway } from '../src/server';
import { RoutingStack, many, produceScores } from '@vane/test-support/routing-stack';
import { createNamespace, eventually, readAll, topicOf, type TestNamespace } from '@vane/test-support/fixtures';
import { ensureTool, type Tool, type ToolName } from '@vane/test-support/debian-tools';
import { parse, query } from '@vane/test-support/dns-queries';

const run = promisify(execFile);

describe('DNS gateway on the local stack (config service, snapshots, Kafka), asked by real resolvers', () => {
  let ns: TestNamespace;
  let stack: RoutingStack;
  let dns: RunningGateway;
  let port: number;
  const tools = {} as Record<ToolName, Tool>;

  beforeAll(async () => {
    tools.dig = ensureTool('dig');
    tools.kdig = ensureTool('kdig');
    ns = await createNamespace();
    stack = await RoutingStack.start(ns);
    dns = await startGateway({
      settings: resolveSettings({ port: 0, nameservers: ['ns1.acme-dns.example', 'ns2.acme-dns.example'], sandbox: { memoryMb: 16, timeoutMs: 50 } }),
      connections: ns.connections,
      naming: ns.naming,
      snapshotsUrl: stack.snapshots.url,
      log: () => undefined,
    });
    port = dns.listener.port;
  });

  afterAll(async () => {
    await dns?.close();
    await stack?.close();
    await ns?.cleanup();
  });

  async function tool(name: ToolName, args: string[]): Promise<string> {
    const { binary, env } = tools[name];
    const { stdout } = await run(binary, ['-p', String(port), '@127.0.0.1', ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    return stdout;
  }

  /** The answer records of dig/kdig +short output. */
  const short = async (name: ToolName, args: string[]) =>
    (await tool(name, ['+short', ...(name === 'kdig' ? ['+retry=0', '+timeout=3'] : ['+tries=1', '+time=3']), ...args])).trim().split('\n').filter(Boolean);

  function resolver(): dnsPromises.Resolver {
    const r = new dnsPromises.Resolver({ timeout: 3000, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    return r;
  }

  it('answers a resolver library (c-ares): CNAME, SOA and NS at the apex, NXDOMAIN, REFUSED', async () => {
    const r = resolver();
    // 127.0.0.1 has no GeoIP facts: global scores, cdn-a is fastest.
    expect(await r.resolveCname('www.acme-cdn.example')).toEqual(['acme.cdn-a.net']);
    expect(await r.resolveCname('x.y.img.acme-cdn.example')).toEqual(['acme.cdn-a.net']);
    expect(await r.resolveSoa('acme-cdn.example')).toMatchObject({ nsname: 'ns1.acme-dns.example', hostmaster: 'hostmaster.vane.invalid', minttl: 60 });
    expect((await r.resolveNs('acme-cdn.example')).sort()).toEqual(['ns1.acme-dns.example', 'ns2.acme-dns.example']);
    expect((await r.resolve6('many.acme-cdn.example')).sort()).toEqual([...many].sort());
    await expect(r.resolve4('nothing.acme-cdn.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(r.resolve4('www.example.org')).rejects.toMatchObject({ code: 'EREFUSED' });
  });

  it('ECS changes the geo decision, with dig and kdig, and the answer carries its scope', async () => {
    for (const name of ['dig', 'kdig'] as const) {
      expect(await short(name, ['www.acme-cdn.example', 'A', '+subnet=62.155.1.0/24'])).toEqual(['acme.cdn-a.net.']);
      expect(await short(name, ['www.acme-cdn.example', 'A', '+subnet=8.8.8.0/24'])).toEqual(['acme.cdn-b.net.']);
    }
    expect(await tool('dig', ['www.acme-cdn.example', 'A', '+subnet=8.8.8.0/24'])).toContain('CLIENT-SUBNET: 8.8.8.0/24/24');
    expect(await tool('kdig', ['www.acme-cdn.example', 'A', '+subnet=62.155.0.0/16'])).toContain('CLIENT-SUBNET: 62.155.0.0/16/16');
    const full = await tool('dig', ['www.acme-cdn.example', 'A', '+subnet=62.155.1.0/24']);
    expect(full).toMatch(/flags: qr aa rd;/);
  });

  it('answers follow the scores: a new score changes the answer without a restart', async () => {
    expect(await short('dig', ['www.acme-cdn.example', 'A', '+subnet=62.155.1.0/24'])).toEqual(['acme.cdn-a.net.']);
    await produceScores(ns, [{ provider: 'cdn-b', locationKey: 'country:DE', rttP50: 4, availability: 0.99 }]);
    await eventually('the DE answer to move to cdn-b', async () => ((await short('dig', ['www.acme-cdn.example', 'A', '+subnet=62.155.1.0/24']))[0] === 'acme.cdn-b.net.' ? true : undefined), 30_000, 200);
    // Below the availability floor, cdn-b is skipped again.
    await produceScores(ns, [{ provider: 'cdn-b', locationKey: 'country:DE', rttP50: 4, availability: 0.5 }]);
    await eventually('the DE answer to move back to cdn-a', async () => ((await short('kdig', ['www.acme-cdn.example', 'A', '+subnet=62.155.1.0/24']))[0] === 'acme.cdn-a.net.' ? true : undefined), 30_000, 200);
  });

  it('follows config: a newly published version answers without a restart, and a rollback restores the old one', async () => {
    await stack.call('POST', '/v1/apps/acme.video/versions', {
      source: `function onRequest(q, r) { r.respond('origin'); r.setReasonCode('maintenance'); }`,
      providers: [{ id: 'cdn-a' }, { id: 'cdn-b' }, { id: 'origin' }],
      fallback: { provider: 'origin' },
      tests: [{ name: 'all to origin', request: {}, expect: { provider: 'origin', reason: 'maintenance' } }],
    });
    await stack.call('POST', '/v1/apps/acme.video/publish', { version: 2 });
    await eventually('version 2 to answer', async () => ((await short('dig', ['www.acme-cdn.example', 'A']))[0] === 'origin.acme.example.' ? true : undefined), 30_000, 200);
    await stack.call('POST', '/v1/apps/acme.video/rollback');
    await eventually('version 1 to answer again', async () => ((await short('dig', ['www.acme-cdn.example', 'A']))[0] === 'acme.cdn-a.net.' ? true : undefined), 30_000, 200);
  });

  it('falls back to TCP when the UDP answer is truncated (dig and kdig retry by themselves)', async () => {
    const udpOnly = await tool('dig', ['many.acme-cdn.example', 'AAAA', '+noedns', '+ignore', '+tries=1']);
    expect(udpOnly).toMatch(/flags: qr aa tc rd;/);
    expect(udpOnly).toMatch(/ANSWER: 0,/);
    const viaTcp = await tool('dig', ['many.acme-cdn.example', 'AAAA', '+noedns', '+tries=1']);
    expect(viaTcp).toContain('Truncated, retrying in TCP mode');
    expect(viaTcp).toMatch(/ANSWER: 30,/);
    expect(viaTcp).toContain('(TCP)');
    const kdig = await tool('kdig', ['many.acme-cdn.example', 'AAAA', '+noedns', '+retry=0']);
    expect(kdig).toMatch(/ANSWER: 30/);
    expect(kdig).toContain('(TCP)');
    expect((await short('kdig', ['+tcp', 'many.acme-cdn.example', 'AAAA'])).sort()).toEqual([...many].sort());
  });

  it('answers NXDOMAIN, NODATA and REFUSED as dig sees them', async () => {
    expect(await tool('dig', ['nothing.acme-cdn.example', 'A', '+tries=1'])).toMatch(/status: NXDOMAIN/);
    const nodata = await tool('dig', ['www.acme-cdn.example', 'MX', '+tries=1']);
    expect(nodata).toMatch(/status: NOERROR/);
    expect(nodata).toMatch(/ANSWER: 0, AUTHORITY: 1/);
    expect(await tool('kdig', ['www.unknown-zone.example', 'A', '+retry=0'])).toMatch(/status: REFUSED/);
  });

  it('survives malformed packets: garbage is dropped, a broken body gets FORMERR, and it keeps answering', async () => {
    const socket = createSocket('udp4');
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const send = (b: Buffer) => new Promise<void>((r, j) => socket.send(b, port, '127.0.0.1', (e) => (e ? j(e) : r())));
    try {
      await send(Buffer.from([1, 2, 3, 4, 5]));
      // A header promising a question that is not there.
      await send(Buffer.from([0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
      // A question whose name runs off the end of the message.
      await send(Buffer.concat([Buffer.from([0xca, 0xfe, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0x3f, 0x61, 0x62])]));
      // A compression pointer that points at itself.
      await send(Buffer.concat([Buffer.from([0xd0, 0x0d, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]));
      for (let i = 0; i < 200; i++) {
        const junk = Buffer.alloc(12 + (i % 60));
        for (let j = 0; j < junk.length; j++) junk[j] = (i * 131 + j * 17) & 0xff;
        junk[2] = junk[2]! & 0x7f; // a query, not a response
        await send(junk);
      }
      await send(query('www.acme-cdn.example', { id: 777 }));
      const good = await eventually('the answer to the good query', async () => replies.map((r) => parse(r)).find((p) => p.id === 777), 10_000, 50);
      expect(good.answers[0]).toMatchObject({ domain: 'acme.cdn-a.net' });
      const byId = new Map(replies.map((r) => [r.readUInt16BE(0), r]));
      expect(byId.has(0x0102)).toBe(false);
      for (const id of [0xbeef, 0xcafe, 0xd00d]) expect([id, byId.get(id) ? parse(byId.get(id)!).rcode : 'none']).toEqual([id, 1]);
    } finally {
      socket.close();
    }
    // TCP: a frame that does not decode ends the connection; the server goes on.
    await new Promise<void>((resolve) => {
      const c = connect(port, '127.0.0.1', () => c.write(Buffer.from([0x00, 0x03, 0xff, 0xff, 0xff])));
      c.on('close', () => resolve());
      c.on('error', () => resolve());
      c.setTimeout(3000, () => c.destroy());
    });
    expect(await resolver().resolveCname('www.acme-cdn.example')).toEqual(['acme.cdn-a.net']);
  });

  it('logs every decision to decisions.dns.v1, matching the answers given', async () => {
    const answer = await short('dig', ['video.img.acme-cdn.example', 'CNAME', '+subnet=8.8.8.0/24']);
    expect(answer).toEqual(['acme.cdn-b.net.']);
    const records = await readAll<DnsDecision>(ns, topicOf(ns, 'decisions.dns.v1'), { atLeast: 10, idleMs: 1500 });
    const mine = records.filter((r) => r.value.qname === 'video.img.acme-cdn.example');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.key).toBe('acme.video');
    expect(mine[0]!.value).toMatchObject({
      appId: 'acme.video',
      tenantId: 'acme',
      qtype: 'CNAME',
      ecsSubnet: '8.8.8.0/24',
      client: { country: 'US', asn: 15169 },
      resolver: { truncatedIp: '127.0.0.0/24' },
      answerProvider: 'cdn-b',
      answerTarget: 'acme.cdn-b.net',
      reasonCode: 'best_rtt',
      fallback: false,
    });
    expect(records.every((r) => !JSON.stringify(r.value).includes('127.0.0.1'))).toBe(true);
  });
});
