import { areaKeyOfCell, bluetoothKey, cellAreaKey, cellKey, isBlocked, parseCellAreaKey, parseCellKey, stationId, wifiKey, TEMPORARY_BLOCK_MS } from '../src';
import { DAY, NOW } from './support';

describe('station keys', () => {
  it('keys MACs as 12 lower-case hex digits whatever the input form', () => {
    expect(wifiKey('01:23:45:67:89:AB')).toBe('0123456789ab');
    expect(wifiKey('01-23-45-67-89-ab')).toBe('0123456789ab');
    expect(bluetoothKey('FF2345678 9AB'.replace(' ', ''))).toBe('ff23456789ab');
    expect(wifiKey('not a mac')).toBeNull();
  });

  it('keys cells and areas and reads them back', () => {
    const id = { radio: 'lte' as const, mcc: 208, mnc: 1, lac: 2, cid: 1234567 };
    expect(cellKey(id)).toBe('lte/208/1/2/1234567');
    expect(cellAreaKey(id)).toBe('lte/208/1/2');
    expect(areaKeyOfCell(cellKey(id))).toBe(cellAreaKey(id));
    expect(parseCellKey('lte/208/1/2/1234567')).toEqual(id);
    expect(parseCellAreaKey('gsm/262/2/7')).toEqual({ radio: 'gsm', mcc: 262, mnc: 2, lac: 7 });
    expect(parseCellKey('cdma/1/2/3/4')).toBeNull();
    expect(parseCellKey('lte/208/1/2')).toBeNull();
    expect(stationId({ kind: 'wifi', key: '0123456789ab' })).toBe('wifi:0123456789ab');
  });
});

describe('isBlocked', () => {
  const old = { created: NOW - 365 * DAY, blockLast: null, blockCount: 0 };

  it('blocks for 48 hours after a block', () => {
    const blocked = { ...old, blockLast: NOW - TEMPORARY_BLOCK_MS + 1, blockCount: 1 };
    expect(isBlocked(blocked, NOW)).toBe(true);
    expect(isBlocked({ ...blocked, blockLast: NOW - TEMPORARY_BLOCK_MS }, NOW)).toBe(false);
  });

  it('keeps a station blocked while it was blocked at least once per 30 days of its age', () => {
    const young = { created: NOW - 20 * DAY, blockLast: NOW - 10 * DAY, blockCount: 1 };
    expect(isBlocked(young, NOW)).toBe(true); // round(20 / 30) = 1 ≤ 1 block
    expect(isBlocked({ ...young, created: NOW - 50 * DAY }, NOW)).toBe(false); // round(50 / 30) = 2 > 1 block
    expect(isBlocked({ ...old, blockLast: NOW - 10 * DAY, blockCount: 12 }, NOW)).toBe(true); // round(365 / 30) = 12
    expect(isBlocked({ ...old, blockLast: NOW - 10 * DAY, blockCount: 11 }, NOW)).toBe(false);
    expect(isBlocked(old, NOW)).toBe(false);
  });
});
