// The baseline of the decide benchmark: a bare Fastify route answering a
// fixed JSON body shaped like the gateway's answer. Forked by index.ts:
// sends {port} when listening, {maxRss} on 'stop'.
import Fastify from 'fastify';

const body = {
  decisionId: '00000000-0000-4000-8000-000000000000',
  app: 'bench.video',
  version: 1,
  provider: 'cdn-b',
  url: 'https://bench.cdn-b.net/',
  cname: 'bench.cdn-b.net',
  addresses: [],
  ttl: 30,
  reason: 'best_rtt',
  fallback: false,
  ranking: [
    { provider: 'cdn-b', score: { level: 'country', locationKey: 'country:DE', rttP50: 24, rttP90: 55, availability: 0.97, throughputP50: null, samples: 100, confidence: 1, computedAt: 0 } },
    { provider: 'cdn-a', score: { level: 'country', locationKey: 'country:DE', rttP50: 31, rttP90: 70, availability: 0.99, throughputP50: null, samples: 100, confidence: 1, computedAt: 0 } },
  ],
  client: { ip: '62.155.1.0/24', country: 'DE', continent: 'EU', region: null, asn: 3320, asnOrg: 'Deutsche Telekom AG' },
};

const app = Fastify({ logger: false });
app.get('/v1/decide/:appId', async (_request, reply) => reply.header('cache-control', 'private, max-age=30').send(body));
void app.listen({ host: '127.0.0.1', port: 0 }).then(() => {
  const address = app.server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (m) => {
  if (m !== 'stop') return;
  void app.close().then(() => process.send!({ maxRss: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0)));
});
