import type { Observation } from '../src';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 2, 1, 12);

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box–Muller). */
export function gauss(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Point `north`/`east` metres away from (lat, lon). */
export function offset(lat: number, lon: number, north: number, east: number): [number, number] {
  return [lat + north / 111_195, lon + east / (111_195 * Math.cos((lat * Math.PI) / 180))];
}

export function obs(over: Partial<Observation> & Pick<Observation, 'kind' | 'key' | 'lat' | 'lon'>): Observation {
  return { radio: null, accuracy: 10, age: 0, speed: 0, signal: null, source: 'gnss', time: NOW, ...over };
}
