import { createSocket } from 'node:dgram';
import { Packet } from 'dns2';
import { AppHost, MemoryDecisionSink, openGeo } from '@vane/apps';
import { build } from './src/app';
import { listen } from './src/server';
import { dnsFixture, dnsScores } from './test/support/fixture';
import { query, parse } from './test/support/queries';
(async () => {
  const fixture = dnsFixture();
  const host = new AppHost({ config: fixture.state, scores: dnsScores() });
  await host.start();
  const gw = build({ config: fixture.state, host, geo: openGeo(), sink: new MemoryDecisionSink() });
  const l = await listen(gw, '127.0.0.1', 0, console.log);
  const port = l.port;
  for (let i = 0; i < 200; i++) {
    const junk = Buffer.alloc(12 + (i % 60));
    for (let j = 0; j < junk.length; j++) junk[j] = (i * 131 + j * 17) & 0xff;
    junk[2] = junk[2]! & 0x7f;
    const t = Date.now();
    let p: Packet | null = null; let err = '';
    try { p = Packet.parse(junk); } catch (e) { err = String(e); }
    let ans = '';
    if (p) { try { const b = await gw.answer(p, 'udp', '127.0.0.1'); ans = b ? `rcode ${parse(b).rcode}` : 'drop'; } catch (e) { ans = 'THROW ' + String(e); } }
    const dt = Date.now() - t;
    if (dt > 50 || ans.startsWith('THROW')) console.log(i, junk.length, dt, 'ms', err.slice(0, 80), ans.slice(0, 200));
  }
  console.log('done direct');
  await l.close(); gw.close(); host.stop();
})();
