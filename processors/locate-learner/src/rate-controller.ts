import { badControllerSetting } from './errors';

/**
 * Sampling of the learner's input under overload (Ichnaea's automated rate
 * control, a PID controller on the backlog): every interval the caller
 * passes the consumer lag (records not yet processed) and gets the share of
 * input to process, 0–1. With the default gains (kp = 8, ki = kd = 0) the
 * rate is 1 while the lag is at most 7/8 of the target and falls linearly
 * to 0 as the lag reaches the target, which holds the lag near the target
 * while input exceeds capacity and lets it drain when input drops:
 *   rate = clamp((kp·e + ki·∫e dt − kd·d(lag)/dt) / target, 0, 1), e = target − lag.
 * The integral is clamped to [0, target] (no wind-up). State is a plain
 * record (keep it across restarts to resume smoothly; none starts fresh).
 *
 * `sampled(id, rate)` decides per record from a hash of its id, so a replay
 * at the same rates samples the same records.
 */
export interface RateGains {
  kp: number;
  ki: number;
  kd: number;
}

export const DEFAULT_GAINS: RateGains = { kp: 8, ki: 0, kd: 0 };

export interface RateControllerState {
  integral: number;
  lastLag: number;
  lastAt: number;
}

export interface RateStep {
  rate: number;
  state: RateControllerState;
}

export function nextSampleRate(state: RateControllerState | null, input: { lag: number; target: number; at: number }, gains: RateGains = DEFAULT_GAINS): RateStep {
  const { lag, target, at } = input;
  if (!(target > 0)) throw badControllerSetting(`the target lag must be positive, not ${target}`);
  if (gains.kp < 0 || gains.ki < 0 || gains.kd < 0) throw badControllerSetting('controller gains must not be negative');
  const error = target - lag;
  const dt = state === null ? 0 : Math.max((at - state.lastAt) / 1000, 0);
  const integral = Math.min(Math.max((state?.integral ?? 0) + gains.ki * error * dt, 0), target);
  const derivative = state === null || dt === 0 ? 0 : (gains.kd * (lag - state.lastLag)) / dt;
  const output = Math.min(Math.max(gains.kp * error + integral - derivative, 0), target);
  return { rate: output / target, state: { integral, lastLag: lag, lastAt: at } };
}

/** FNV-1a 32-bit hash of a string, as a fraction in [0, 1). */
function unitHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 2 ** 32;
}

/** Whether the record with this id is processed at `rate` (deterministic per id). */
export function sampled(id: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return unitHash(id) < rate;
}
