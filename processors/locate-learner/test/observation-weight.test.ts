import { accuracyWeight, ageWeight, observationWeight, signalWeight, speedWeight } from '../src';
import { obs } from './support';

describe('observation weights', () => {
  it('accuracy: sqrt(10 / m), 1 at or under 10 m and when unknown, 0 past the per-kind limit', () => {
    expect(accuracyWeight('wifi', null)).toBe(1);
    expect(accuracyWeight('wifi', 0)).toBe(1);
    expect(accuracyWeight('wifi', 5)).toBe(1);
    expect(accuracyWeight('wifi', 40)).toBeCloseTo(0.5, 10);
    expect(accuracyWeight('wifi', 200)).toBeCloseTo(Math.sqrt(10 / 200), 10);
    expect(accuracyWeight('wifi', 200.01)).toBe(0);
    expect(accuracyWeight('bluetooth', 100)).toBeCloseTo(Math.sqrt(0.1), 10);
    expect(accuracyWeight('bluetooth', 101)).toBe(0);
    expect(accuracyWeight('cell', 1000)).toBeCloseTo(0.1, 10);
    expect(accuracyWeight('cell', 1001)).toBe(0);
  });

  it('age: sqrt(2000 / |ms|) at most 1, 1 when unknown, 0 past 20 s', () => {
    expect(ageWeight(null)).toBe(1);
    expect(ageWeight(0)).toBe(1);
    expect(ageWeight(1500)).toBe(1);
    expect(ageWeight(8000)).toBeCloseTo(0.5, 10);
    expect(ageWeight(-8000)).toBeCloseTo(0.5, 10);
    expect(ageWeight(20_000)).toBeCloseTo(Math.sqrt(0.1), 10);
    expect(ageWeight(20_001)).toBe(0);
  });

  it('speed: sqrt(5 / m/s) at most 1, 1 when unknown or slow, 0 past 50 m/s', () => {
    expect(speedWeight(null)).toBe(1);
    expect(speedWeight(5)).toBe(1);
    expect(speedWeight(20)).toBeCloseTo(0.5, 10);
    expect(speedWeight(50)).toBeCloseTo(Math.sqrt(0.1), 10);
    expect(speedWeight(50.5)).toBe(0);
  });

  it('signal: 1 for Bluetooth and for median signals, more for stronger ones', () => {
    expect(signalWeight('bluetooth', -30, null)).toBe(1);
    expect(signalWeight('wifi', null, null)).toBe(1);
    expect(signalWeight('wifi', -80, null)).toBe(1);
    expect(signalWeight('wifi', -60, null)).toBeCloseTo(2.4414, 4);
    expect(signalWeight('wifi', -90, null)).toBeCloseTo(0.683, 3);
    expect(signalWeight('cell', null, 'gsm')).toBe(1);
    expect(signalWeight('cell', -95, 'gsm')).toBe(1);
    expect(signalWeight('cell', -100, 'wcdma')).toBe(1);
    expect(signalWeight('cell', -105, 'lte')).toBe(1);
    expect(signalWeight('cell', -79, 'gsm')).toBeCloseTo(2.0, 1);
    expect(signalWeight('cell', -140, 'lte')).toBeLessThan(0.4);
  });

  it('is the product of the four factors', () => {
    const o = obs({ kind: 'wifi', key: 'k', lat: 0, lon: 0, accuracy: 40, age: 8000, speed: 20, signal: -80 });
    expect(observationWeight(o)).toBeCloseTo(0.125, 10);
    expect(observationWeight({ ...o, accuracy: 250 })).toBe(0);
  });
});
