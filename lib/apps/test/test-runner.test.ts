import { VaneError } from '@vane/core';
import type { AppTestCase } from '@vane/config-model';
import { runAppTests, testRequest } from '../src/test-runner';
import { bestRttSource } from '@vane/test-support/best-rtt-app';
import { fallback, limits, providers } from './support/apps';

const cases: AppTestCase[] = [
  {
    name: 'fastest available provider wins',
    request: { client: { country: 'DE', continent: 'EU', asn: 3320 }, scores: { 'cdn-a': { rttP50: 40, availability: 0.99 }, 'cdn-b': { rttP50: 25, availability: 0.97 } } },
    expect: { provider: 'cdn-b', target: 'acme.cdn-b.net', ttl: 30, reason: 'best_rtt', fallback: false },
  },
  {
    name: 'no scores: origin',
    request: {},
    expect: { provider: 'origin', reason: 'no_scores' },
  },
];

const app = { appId: 'acme.video', version: 3, source: bestRttSource, providers, fallback, ttl: 60, settings: { availabilityFloor: 0.8 }, tests: cases };

describe('runAppTests', () => {
  it('passes an app whose cases all hold', async () => {
    const report = await runAppTests(app, limits);
    expect(report).toMatchObject({ passed: true, failing: null });
    expect(report.cases.map((c) => [c.name, c.passed])).toEqual([
      ['fastest available provider wins', true],
      ['no scores: origin', true],
    ]);
  });

  it('names the first failing case with what was expected and what came', async () => {
    const wrong: AppTestCase = {
      name: 'US goes to cdn-a',
      request: { client: { country: 'US' }, scores: { 'cdn-a': { rttP50: 90, availability: 0.99 }, 'cdn-b': { rttP50: 30, availability: 0.6 } } },
      expect: { provider: 'cdn-b', ttl: 30 },
    };
    const report = await runAppTests({ ...app, tests: [...cases, wrong] }, limits);
    expect(report.passed).toBe(false);
    expect(report.failing).toMatchObject({
      name: 'US goes to cdn-a',
      passed: false,
      mismatches: ['provider'],
      expected: { provider: 'cdn-b', ttl: 30 },
      actual: { provider: 'cdn-a', target: 'acme.cdn-a.net', ttl: 30, reason: 'best_rtt', fallback: false },
    });
  });

  it('runs each case with its own custom data, and checks fallbacks of hostile behaviour', async () => {
    const source = `function onRequest(req, res) { if (req.data.mode && req.data.mode.loop) while (true) {} res.respond(req.data.mode ? req.data.mode.pick : 'cdn-a'); }`;
    const report = await runAppTests(
      {
        ...app,
        source,
        tests: [
          { name: 'data picks', request: { data: { mode: { pick: 'cdn-b' } } }, expect: { provider: 'cdn-b', target: ['192.0.2.10', '2001:db8::10'] } },
          { name: 'loop falls back', request: { data: { mode: { loop: true } } }, expect: { provider: 'origin', fallback: true, reason: 'app_timeout', ttl: 20 } },
          { name: 'no data', request: {}, expect: { provider: 'cdn-a', reason: 'unspecified' } },
        ],
      },
      limits,
    );
    expect(report.cases.map((c) => c.passed)).toEqual([true, true, true]);
  });

  it('refuses an app that does not compile before running any case', async () => {
    await expect(runAppTests({ ...app, source: 'function onRequest( {' }, limits)).rejects.toMatchObject({ code: 'VANE_ERR_APP_COMPILE' });
    await expect(runAppTests({ ...app, source: 'function onRequest( {' }, limits)).rejects.toBeInstanceOf(VaneError);
  });

  it('fills partial test requests with neutral defaults', () => {
    const request = testRequest({ protocol: 'http', client: { country: 'FR', continent: 'EU' }, scores: { 'cdn-a': { rttP50: 12 } } }, { id: 'a.b', version: 1 });
    expect(request).toMatchObject({
      protocol: 'http',
      hostname: 'test.invalid',
      qtype: null,
      path: '/',
      client: { ip: '192.0.2.0/24', country: 'FR', continent: 'EU', asn: null },
      locationKeys: ['country:FR', 'continent:EU', 'global'],
      scores: { 'cdn-a': { rttP50: 12, availability: null, level: 'global', samples: 100 } },
    });
  });
});
