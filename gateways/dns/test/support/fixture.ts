import { MemoryScores } from '@vane/apps';
import { ConfigFixture } from '@vane/test-support/config-fixture';

/** 30 IPv6 addresses: more than fit in 512 bytes. */
export const many = Array.from({ length: 30 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);

export function dnsFixture(): ConfigFixture {
  const fixture = ConfigFixture.acme();
  fixture
    .app({ appId: 'acme.video', tenantId: 'acme', zone: 'acme-cdn.example', hostnames: ['www.acme-cdn.example', 'video.acme-cdn.example', '*.img.acme-cdn.example', 'acme-cdn.example'], latestVersion: 1, publishedVersion: 1 })
    .app({ appId: 'acme.many', tenantId: 'acme', zone: 'acme-cdn.example', hostnames: ['many.acme-cdn.example'] })
    .version({ appId: 'acme.many', tenantId: 'acme', version: 1, source: `function onRequest(q, r) { r.respond('cdn-b', ${JSON.stringify(many)}); r.setReasonCode('many'); }` })
    .publish('acme.many', 1)
    .app({ appId: 'acme.hostile', tenantId: 'acme', zone: 'acme-cdn.example', hostnames: ['loop.acme-cdn.example', 'bomb.acme-cdn.example', 'throw.acme-cdn.example', 'process.acme-cdn.example', 'require.acme-cdn.example'] })
    .version({
      appId: 'acme.hostile',
      tenantId: 'acme',
      version: 1,
      source: `function onRequest(req, res) {
        var label = req.hostname.split('.')[0];
        if (label === 'loop') while (true) {}
        if (label === 'bomb') { var a = []; while (true) a.push(new Array(4e6).fill(1)); }
        if (label === 'process') process.exit(1);
        if (label === 'require') require('fs');
        throw new Error('no');
      }`,
    })
    .publish('acme.hostile', 1)
    .app({ appId: 'acme.draft', tenantId: 'acme', zone: 'acme-cdn.example', hostnames: ['draft.acme-cdn.example'] });
  return fixture;
}

export function dnsScores(): MemoryScores {
  return new MemoryScores()
    .set('cdn-a', { locationKey: 'country:DE', rttP50: 20, availability: 0.99 })
    .set('cdn-b', { locationKey: 'country:DE', rttP50: 35, availability: 0.99 })
    .set('cdn-a', { locationKey: 'country:US', rttP50: 80, availability: 0.99 })
    .set('cdn-b', { locationKey: 'asn:US:15169', rttP50: 12, availability: 0.98 })
    .set('cdn-a', { locationKey: 'global', rttP50: 50, availability: 0.99 })
    .set('cdn-b', { locationKey: 'global', rttP50: 60, availability: 0.99 });
}

