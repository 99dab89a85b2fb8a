import type { Network } from '@vane/schemas';
import { AppHost, type DecisionInput } from '../src/app-host';
import { MemoryScores } from '../src/app-score-source';
import { limits } from './support/apps';
import { ConfigFixture } from '@vane/test-support/config-fixture';

const berlin: Network = { truncatedIp: '203.0.113.0/24', country: 'DE', continent: 'EU', region: 'DE-BE', asn: 3320, asnOrg: 'Deutsche Telekom AG' };
const paris: Network = { truncatedIp: '198.51.100.0/24', country: 'FR', continent: 'EU', region: null, asn: 3215, asnOrg: 'Orange' };

function input(client: Network): DecisionInput {
  return { protocol: 'dns', hostname: 'www.acme-cdn.example', qtype: 'A', path: null, client, resolver: null, ecs: null, now: 1 };
}

describe('AppHost', () => {
  let fixture: ConfigFixture;
  let scores: MemoryScores;
  let host: AppHost;

  beforeEach(async () => {
    fixture = ConfigFixture.acme();
    scores = new MemoryScores()
      .set('cdn-a', { locationKey: 'country:DE', rttP50: 20, availability: 0.99 })
      .set('cdn-b', { locationKey: 'country:DE', rttP50: 35, availability: 0.99 })
      .set('cdn-a', { locationKey: 'continent:EU', rttP50: 80, availability: 0.99 })
      .set('cdn-b', { locationKey: 'asn:FR:3215', rttP50: 15, availability: 0.95 });
    host = new AppHost({ config: fixture.state, scores, limits });
    await host.start();
  });

  afterEach(() => host.stop());

  it('decides with the scores at the most specific level each provider has', async () => {
    const de = await host.decide('acme.video', input(berlin));
    expect(de).toMatchObject({ ok: true, result: { appId: 'acme.video', tenantId: 'acme', version: 1, decision: { provider: 'cdn-a', cname: 'acme.cdn-a.net', reason: 'best_rtt', fallback: false } } });
    const fr = await host.decide('acme.video', input(paris));
    expect(fr.ok && fr.result.decision.provider).toBe('cdn-b');
    expect(fr.ok && fr.result.scoresSeen).toEqual([
      { provider: 'cdn-a', level: 'continent', rttP50: 80, availability: 0.99 },
      { provider: 'cdn-b', level: 'asn', rttP50: 15, availability: 0.95 },
    ]);
  });

  it('follows score changes at once', async () => {
    scores.set('cdn-b', { locationKey: 'country:DE', rttP50: 5, availability: 0.99 });
    const de = await host.decide('acme.video', input(berlin));
    expect(de.ok && de.result.decision.provider).toBe('cdn-b');
  });

  it('swaps to a newly published version without a restart, and back on rollback', async () => {
    fixture.version({ appId: 'acme.video', tenantId: 'acme', version: 2, source: `function onRequest(q, r) { r.respond('origin'); r.setReasonCode('v2'); }` }).publish('acme.video', 2);
    await host.settled();
    let d = await host.decide('acme.video', input(berlin));
    expect(d.ok && [d.result.version, d.result.decision.reason]).toEqual([2, 'v2']);
    fixture.publish('acme.video', 1);
    await host.settled();
    d = await host.decide('acme.video', input(berlin));
    expect(d.ok && [d.result.version, d.result.decision.reason]).toEqual([1, 'best_rtt']);
  });

  it('re-sends custom data and provider targets when they change', async () => {
    fixture
      .version({ appId: 'acme.video', tenantId: 'acme', version: 2, data: ['routing'], source: `function onRequest(q, r) { r.respond(q.data.routing.pick); r.setReasonCode('data'); }` })
      .data('acme', 'routing', 1, { pick: 'cdn-a' })
      .publish('acme.video', 2);
    await host.settled();
    let d = await host.decide('acme.video', input(berlin));
    expect(d.ok && d.result.decision.provider).toBe('cdn-a');
    fixture.data('acme', 'routing', 2, { pick: 'cdn-b' });
    d = await host.decide('acme.video', input(berlin));
    expect(d.ok && [d.result.decision.provider, d.result.decision.cname]).toEqual(['cdn-b', 'acme.cdn-b.net']);
    fixture.provider('acme', { providerId: 'cdn-b', cname: 'new.cdn-b.net' });
    d = await host.decide('acme.video', input(berlin));
    expect(d.ok && d.result.decision.cname).toBe('new.cdn-b.net');
  });

  it('keeps answering with the held version when a published one cannot load', async () => {
    fixture.version({ appId: 'acme.video', tenantId: 'acme', version: 2, source: `function init() { throw new Error('bad'); } function onRequest() {}` }).publish('acme.video', 2);
    await host.settled();
    const d = await host.decide('acme.video', input(berlin));
    expect(d.ok && [d.result.version, d.result.decision.reason]).toEqual([1, 'best_rtt']);
  });

  it('answers the fallback for a first version that cannot load, and refuses unknown or unpublished apps', async () => {
    fixture.app({ appId: 'acme.broken', tenantId: 'acme' }).version({ appId: 'acme.broken', tenantId: 'acme', version: 1, source: 'while (true) {}' }).publish('acme.broken', 1);
    await host.settled();
    const d = await host.decide('acme.broken', input(berlin));
    expect(d).toMatchObject({ ok: true, result: { decision: { provider: 'origin', fallback: true, reason: 'app_unavailable' } } });
    fixture.app({ appId: 'acme.draft', tenantId: 'acme' });
    expect(await host.decide('acme.draft', input(berlin))).toEqual({ ok: false, code: 'VANE_ERR_APP_NOT_PUBLISHED' });
    expect(await host.decide('nobody.nothing', input(berlin))).toEqual({ ok: false, code: 'VANE_ERR_NOT_FOUND' });
  });

  it('stops answering for a disabled tenant', async () => {
    fixture.tenant('acme', { disabled: true });
    expect(await host.decide('acme.video', input(berlin))).toMatchObject({ ok: false });
  });
});
