import type { Score } from '@vane/schemas';
import { bestMatch, SseParser } from '../src';

function score(provider: string, locationKey: string, rttP50: number, samples = 100, confidence = 0.9): Score {
  const level = locationKey === 'global' ? 'global' : locationKey.split(':')[0]!;
  return { provider, locationKey, level, rttP50, rttP90: rttP50 * 2, availability: 1, throughputP50: null, samples, confidence, windowStart: 0, windowEnd: 60_000, computedAt: 30_000, modelVersion: 'v1', sourceOffsets: null };
}

describe('best match', () => {
  const table = new Map<string, Score>([
    ['cdn-a|asn:DE:3320', score('cdn-a', 'asn:DE:3320', 10, 3, 0.1)],
    ['cdn-a|country:DE', score('cdn-a', 'country:DE', 20, 200, 0.95)],
    ['cdn-a|continent:EU', score('cdn-a', 'continent:EU', 25, 900, 0.99)],
    ['cdn-a|global', score('cdn-a', 'global', 40, 5000, 1)],
  ]);
  const get = (p: string, k: string): Score | undefined => table.get(`${p}|${k}`);

  it('takes the most specific score that is trusted enough', () => {
    expect(bestMatch(get, 'cdn-a', { country: 'DE', continent: 'EU', asn: 3320 })!.locationKey).toBe('asn:DE:3320');
    expect(bestMatch(get, 'cdn-a', { country: 'DE', continent: 'EU', asn: 3320 }, { minConfidence: 0.5 })!.locationKey).toBe('country:DE');
    expect(bestMatch(get, 'cdn-a', { country: 'FR', continent: 'EU', asn: 3215 })!.locationKey).toBe('continent:EU');
    expect(bestMatch(get, 'cdn-a', { country: null, continent: null }, { minSamples: 1000 })!.locationKey).toBe('global');
  });
});

describe('SSE parser', () => {
  it('assembles events across chunks and skips comments', () => {
    const p = new SseParser();
    expect(p.push(': hello\n\nid: 1.2\nevent: sco')).toEqual([]);
    expect(p.push('re\ndata: {"a":1}\r\n\r\nid: 2.2\ndata: x\ndata: y\n\n')).toEqual([
      { id: '1.2', event: 'score', data: '{"a":1}' },
      { id: '2.2', event: 'message', data: 'x\ny' },
    ]);
  });
});
