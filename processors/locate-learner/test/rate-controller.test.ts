import { nextSampleRate, sampled, type RateControllerState } from '../src';

describe('nextSampleRate', () => {
  const target = 100_000;

  it('processes everything while the lag is well under the target', () => {
    expect(nextSampleRate(null, { lag: 0, target, at: 0 }).rate).toBe(1);
    expect(nextSampleRate(null, { lag: (target * 7) / 8, target, at: 0 }).rate).toBe(1);
  });

  it('lowers the rate linearly as the lag nears the target, to 0 at and beyond it', () => {
    expect(nextSampleRate(null, { lag: target * 0.9375, target, at: 0 }).rate).toBeCloseTo(0.5, 10);
    expect(nextSampleRate(null, { lag: target, target, at: 0 }).rate).toBe(0);
    expect(nextSampleRate(null, { lag: target * 3, target, at: 0 }).rate).toBe(0);
  });

  it('holds a simulated backlog near the target under overload, then drains it', () => {
    // Capacity 1,000/s; input 1,500/s for an hour, then 500/s. The target is
    // 10 minutes of capacity (Ichnaea suggests 5–10), measured every minute.
    const target10min = 600_000;
    let lag = 0;
    let state: RateControllerState | null = null;
    let rate = 1;
    const lags: number[] = [];
    const rates: number[] = [];
    for (let minute = 0; minute < 120; minute += 1) {
      const input = minute < 60 ? 1500 : 500;
      lag = Math.max(lag + (input * rate - 1000) * 60, 0);
      ({ rate, state } = nextSampleRate(state, { lag, target: target10min, at: minute * 60_000 }));
      lags.push(lag);
      rates.push(rate);
    }
    expect(Math.max(...lags)).toBeLessThanOrEqual(target10min);
    for (const l of lags.slice(30, 60)) expect(l / target10min).toBeGreaterThan(0.85);
    expect(rates[59]).toBeCloseTo(1000 / 1500, 2); // exactly what capacity allows
    expect(lags[119]).toBe(0);
    expect(rate).toBe(1);
  });

  it('adds integral and derivative terms when asked, without wind-up', () => {
    const gains = { kp: 1, ki: 0.01, kd: 0 };
    const first = nextSampleRate(null, { lag: 0, target, at: 0 }, gains);
    const second = nextSampleRate(first.state, { lag: 0, target, at: 1_000_000 }, gains);
    expect(second.state.integral).toBe(target);
    expect(second.rate).toBe(1);
  });

  it('refuses a target that cannot work', () => {
    expect(() => nextSampleRate(null, { lag: 1, target: 0, at: 0 })).toThrow(expect.objectContaining({ code: 'VANE_ERR_CONFIG' }));
  });
});

describe('sampled', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `obs-${i}`);

  it('keeps about the given share, the same records every time', () => {
    const kept = ids.filter((id) => sampled(id, 0.3));
    expect(kept.length / ids.length).toBeGreaterThan(0.28);
    expect(kept.length / ids.length).toBeLessThan(0.32);
    expect(ids.filter((id) => sampled(id, 0.3))).toEqual(kept);
    expect(ids.every((id) => sampled(id, 1))).toBe(true);
    expect(ids.some((id) => sampled(id, 0))).toBe(false);
  });
});
