/**
 * The simulated world: clients in a few networks and providers whose
 * performance depends on where the client is, so that scores (and the
 * routing decisions that follow them) differ by location in a way a person
 * can check: cdn-a is fast in Europe, cdn-b in the Americas, cdn-c is
 * mediocre everywhere and drops 10% of its probes.
 */
export interface SimClient {
  /** Public address the gateway geolocates (sent as X-Forwarded-For). */
  ip: string;
  region: 'europe' | 'americas' | 'asia';
  userAgent: string;
}

export const clients: readonly SimClient[] = [
  { ip: '80.187.100.17', region: 'europe', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' },
  { ip: '90.84.20.9', region: 'europe', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' },
  { ip: '81.2.69.142', region: 'europe', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0' },
  { ip: '8.8.8.8', region: 'americas', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' },
  { ip: '177.12.34.56', region: 'americas', userAgent: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36' },
  { ip: '126.100.1.2', region: 'asia', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0' },
];

export const providers = ['cdn-a', 'cdn-b', 'cdn-c'] as const;
export type SimProvider = (typeof providers)[number];

const baseRtt: Record<SimProvider, Record<SimClient['region'], number>> = {
  'cdn-a': { europe: 25, americas: 140, asia: 180 },
  'cdn-b': { europe: 120, americas: 30, asia: 150 },
  'cdn-c': { europe: 70, americas: 80, asia: 90 },
};

export const pages = ['/', '/pricing', '/docs/getting-started', '/blog/kafka-replays', '/download'];

/** A deterministic pseudo-random source (mulberry32), so a run can be replayed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One probe result as the RUM tag would report it. */
export function probe(provider: SimProvider, type: 'rtt' | 'availability' | 'throughput', client: SimClient, rnd: () => number): number {
  const rtt = baseRtt[provider][client.region];
  if (type === 'availability') return provider === 'cdn-c' && rnd() < 0.1 ? 0 : rnd() < 0.01 ? 0 : 1;
  // Long-tailed latency: base × (0.8 … 1.2) plus an occasional slow sample.
  const jitter = rtt * (0.8 + 0.4 * rnd()) + (rnd() < 0.05 ? rtt * 3 * rnd() : 0);
  if (type === 'rtt') return Math.round(jitter * 10) / 10;
  return Math.round(200_000 / jitter); // kbps, inversely related to latency
}
