import type { Radio } from '@vane/locate';
import type { Observation, ObservedKind } from './observation';

/**
 * How much one observation counts when a station's position is updated
 * (Ichnaea's weights): the product of
 * - accuracy: sqrt(10 / accuracy) — accuracy under 10 m (or unknown) counts
 *   as 10 m (factor 1); 0 beyond 200 m for WiFi, 100 m for Bluetooth,
 *   1,000 m for cells (exactly the limit still counts);
 * - age: sqrt(2000 / |age| ms), at most 1 — under 2 s (or unknown) counts as
 *   2 s; 0 beyond 20 s;
 * - speed: sqrt(5 / speed m/s), at most 1 — under 1 m/s (or unknown) counts
 *   as 1 m/s; 0 beyond 50 m/s;
 * - signal: 1 for Bluetooth; for WiFi ((10⁴ / (dBm − 20)²))², so -80 dBm
 *   (assumed when unknown) is 1, -60 is 2.44, -90 is 0.68; for cells the
 *   same shape around each radio's median signal (GSM -95 dBm with an
 *   offset of -5, WCDMA -100 with 0, LTE -105 with +5; NR as LTE), so a
 *   median signal weighs about 1.
 * An observation of weight 0 is not used.
 */
export const MAX_ACCURACY_METERS: Record<ObservedKind, number> = { wifi: 200, bluetooth: 100, cell: 1000 };
export const MAX_AGE_MS = 20_000;
export const MAX_SPEED_MPS = 50;

export function accuracyWeight(kind: ObservedKind, accuracy: number | null): number {
  const a = Math.max(accuracy === null || accuracy === 0 ? 10 : Math.abs(accuracy), 10);
  return a > MAX_ACCURACY_METERS[kind] ? 0 : Math.sqrt(10 / a);
}

export function ageWeight(age: number | null): number {
  const a = Math.max(age === null || age === 0 ? 2000 : Math.abs(age), 2000);
  return a > MAX_AGE_MS ? 0 : Math.min(Math.sqrt(2000 / a), 1);
}

export function speedWeight(speed: number | null): number {
  const s = Math.max(speed === null || speed === 0 ? 1 : Math.abs(speed), 1);
  return s > MAX_SPEED_MPS ? 0 : Math.min(Math.sqrt(5 / s), 1);
}

const CELL_SIGNAL_SHAPE: Record<Radio, { median: number; offset: number }> = {
  gsm: { median: -95, offset: -5 },
  wcdma: { median: -100, offset: 0 },
  lte: { median: -105, offset: 5 },
  nr: { median: -105, offset: 5 },
};

export function signalWeight(kind: ObservedKind, signal: number | null, radio: Radio | null): number {
  if (kind === 'bluetooth') return 1;
  if (kind === 'wifi') {
    const s = signal ?? -80;
    return ((1 / (s - 20) ** 2) * 10_000) ** 2;
  }
  if (radio === null) return 1;
  const { median, offset } = CELL_SIGNAL_SHAPE[radio];
  const s = signal ?? median;
  return ((1 / (s + offset) ** 2) * 10_000) ** 2;
}

export function observationWeight(o: Observation): number {
  return accuracyWeight(o.kind, o.accuracy) * ageWeight(o.age) * speedWeight(o.speed) * signalWeight(o.kind, o.signal, o.radio);
}
