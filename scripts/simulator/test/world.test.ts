import { clients, probe, random } from '../src/world';

describe('simulated world', () => {
  it('is deterministic for a seed', () => {
    const a = random(42);
    const b = random(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('makes cdn-a faster than cdn-b in Europe and slower in the Americas', () => {
    const rnd = random(7);
    const europe = clients.find((c) => c.region === 'europe')!;
    const americas = clients.find((c) => c.region === 'americas')!;
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const sample = (provider: 'cdn-a' | 'cdn-b', client: typeof europe): number => median(Array.from({ length: 201 }, () => probe(provider, 'rtt', client, rnd)));
    expect(sample('cdn-a', europe)).toBeLessThan(sample('cdn-b', europe));
    expect(sample('cdn-a', americas)).toBeGreaterThan(sample('cdn-b', americas));
  });

  it('reports availability as 0 or 1 and cdn-c as the least available', () => {
    const rnd = random(3);
    const client = clients[0]!;
    const rate = (p: 'cdn-a' | 'cdn-c'): number => Array.from({ length: 2000 }, () => probe(p, 'availability', client, rnd)).reduce((s, v) => s + v, 0) / 2000;
    expect(rate('cdn-c')).toBeLessThan(rate('cdn-a'));
    expect(rate('cdn-c')).toBeGreaterThan(0.8);
  });
});
