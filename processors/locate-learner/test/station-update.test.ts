import { distanceMeters, isBlocked, type StationRecord } from '@vane/locate';
import { CONSISTENCY_RADIUS_METERS, MAX_OLD_WEIGHT, updateStation, type Observation } from '../src';
import { DAY, NOW, obs, offset } from './support';

const HOME: [number, number] = [52.52, 13.405];
const wifiAt = (lat: number, lon: number, over: Partial<Observation> = {}) => obs({ kind: 'wifi', key: 'aabbccddeeff', lat, lon, ...over });

function learned(over: Partial<StationRecord> = {}): StationRecord {
  const first = updateStation('wifi', 'aabbccddeeff', null, [wifiAt(...HOME)], NOW - 200 * DAY).station!;
  return { ...first, ...over };
}

describe('updateStation', () => {
  it('creates a station from a consistent first batch', () => {
    const batch = [wifiAt(...offset(...HOME, 10, 0)), wifiAt(...offset(...HOME, -10, 0))];
    const { station, transition } = updateStation('wifi', 'aabbccddeeff', null, batch, NOW);
    expect(transition).toBe('new');
    expect(distanceMeters(station!.lat!, station!.lon!, ...HOME)).toBeLessThan(0.5);
    expect(station).toMatchObject({ samples: 2, weight: 2, source: 'gnss', created: NOW, lastSeen: NOW, blockCount: 0 });
    expect(station!.radius).toBeGreaterThanOrEqual(10);
  });

  it('blocks a station first seen in two places', () => {
    const batch = [wifiAt(...HOME), wifiAt(...offset(...HOME, CONSISTENCY_RADIUS_METERS.wifi + 500, 0))];
    const { station, transition } = updateStation('wifi', 'aabbccddeeff', null, batch, NOW);
    expect(transition).toBe('new_block');
    expect(station).toMatchObject({ lat: null, lon: null, blockCount: 1, blockLast: NOW });
  });

  it('marks a station that moved beyond the consistency radius as moved and blocks it for 48 hours', () => {
    const stored = learned();
    const far = offset(...HOME, 0, 8000);
    const { station, transition } = updateStation('wifi', 'aabbccddeeff', stored, [wifiAt(...far), wifiAt(...far)], NOW);
    expect(transition).toBe('block');
    expect(station).toMatchObject({ lat: null, lon: null, blockCount: 1, blockLast: NOW, blockFirst: NOW });
    expect(isBlocked(station!, NOW + DAY)).toBe(true);
    // Observations during the block are dropped.
    expect(updateStation('wifi', 'aabbccddeeff', station, [wifiAt(...far)], NOW + DAY).transition).toBe('blocked');
    // After 48 hours the station (200 days old, blocked once) is placed at its new position.
    const after = updateStation('wifi', 'aabbccddeeff', station, [wifiAt(...far)], NOW + 2 * DAY + 1);
    expect(after.transition).toBe('change');
    expect(distanceMeters(after.station!.lat!, after.station!.lon!, ...far)).toBeLessThan(1);
  });

  it('keeps a young station that was blocked blocked', () => {
    const young = updateStation('wifi', 'aabbccddeeff', null, [wifiAt(...HOME)], NOW - 10 * DAY).station!;
    const moved = updateStation('wifi', 'aabbccddeeff', young, [wifiAt(...offset(...HOME, 9000, 0))], NOW).station!;
    expect(isBlocked(moved, NOW + 3 * DAY)).toBe(true); // 13 days old, blocked once
    expect(updateStation('wifi', 'aabbccddeeff', moved, [wifiAt(...HOME)], NOW + 3 * DAY).transition).toBe('blocked');
  });

  it('blocks on a batch whose own spread exceeds the radius, even near the stored position', () => {
    const batch = [wifiAt(...HOME), wifiAt(...offset(...HOME, 5100, 0))];
    expect(updateStation('wifi', 'aabbccddeeff', learned(), batch, NOW).transition).toBe('block');
  });

  it('uses the Bluetooth radius of 100 m', () => {
    const blue = (lat: number, lon: number) => obs({ kind: 'bluetooth', key: 'b', lat, lon });
    expect(updateStation('bluetooth', 'b', null, [blue(...HOME), blue(...offset(...HOME, 90, 0))], NOW).transition).toBe('new');
    expect(updateStation('bluetooth', 'b', null, [blue(...HOME), blue(...offset(...HOME, 150, 0))], NOW).transition).toBe('new_block');
  });

  it('caps the old weight at 10,000 so a heavily observed station can still move', () => {
    const stored = learned({ weight: 1e7, samples: 100_000 });
    const near = offset(...HOME, 1000, 0);
    const batch = Array.from({ length: 10 }, () => wifiAt(...near));
    const { station, transition } = updateStation('wifi', 'aabbccddeeff', stored, batch, NOW);
    expect(transition).toBe('change');
    const moved = distanceMeters(station!.lat!, station!.lon!, ...HOME);
    expect(moved).toBeCloseTo((1000 * 10) / (10 + MAX_OLD_WEIGHT), 0);
    expect(station).toMatchObject({ samples: 100_010, weight: 1e7 + 10 });
  });

  it('lets satellite data replace a position learned from queries, and queries only confirm satellite data', () => {
    const fromQueries = learned({ source: 'query' });
    const gps = updateStation('wifi', 'aabbccddeeff', fromQueries, [wifiAt(...offset(...HOME, 300, 0))], NOW);
    expect(gps.transition).toBe('replace');
    expect(gps.station!.samples).toBe(1);
    const confirm = updateStation('wifi', 'aabbccddeeff', learned(), [wifiAt(...offset(...HOME, 300, 0), { source: 'query' })], NOW);
    expect(confirm.transition).toBe('confirm');
    expect(confirm.station!.lat).toBe(learned().lat);
    expect(confirm.station!.lastSeen).toBe(NOW);
  });

  it('replaces a position not modified for a year instead of blocking', () => {
    const stale = learned({ modified: NOW - 400 * DAY });
    expect(updateStation('wifi', 'aabbccddeeff', stale, [wifiAt(...offset(...HOME, 0, 9000))], NOW).transition).toBe('replace');
  });

  it('ignores weightless observations and refuses those of another station', () => {
    expect(updateStation('wifi', 'aabbccddeeff', null, [wifiAt(...HOME, { accuracy: 500 })], NOW)).toEqual({ station: null, transition: 'none', used: 0 });
    expect(() => updateStation('wifi', 'aabbccddeeff', null, [obs({ kind: 'wifi', key: 'other', lat: 1, lon: 1 })], NOW)).toThrow(
      expect.objectContaining({ code: 'VANE_ERR_PROCESS' }),
    );
  });

  it('keeps the record plain and serialisable', () => {
    const { station } = updateStation('wifi', 'aabbccddeeff', null, [wifiAt(...HOME)], NOW);
    expect(JSON.parse(JSON.stringify(station))).toEqual(station);
  });
});
