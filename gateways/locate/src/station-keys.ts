import { compactMac } from './mac-address';
import type { Radio } from './field-limits';

/**
 * The identity of a station, shared by the gateway (lookups) and the learner
 * (updates), and the primary key of its row in the station tables:
 * - wifi, bluetooth: the MAC as 12 lower-case hex digits ("0123456789ab");
 * - cell: "radio/mcc/mnc/lac/cid" ("lte/208/1/2/1234567");
 * - cellArea (a location or tracking area): "radio/mcc/mnc/lac" ("lte/208/1/2").
 * Numbers are written in decimal without padding, radios in lower case.
 */
export type StationKind = 'wifi' | 'bluetooth' | 'cell' | 'cellArea';

export const STATION_KINDS: readonly StationKind[] = ['wifi', 'bluetooth', 'cell', 'cellArea'];

export interface StationRef {
  kind: StationKind;
  key: string;
}

export interface CellAreaId {
  radio: Radio;
  mcc: number;
  mnc: number;
  lac: number;
}

export interface CellId extends CellAreaId {
  cid: number;
}

const RADIOS: readonly Radio[] = ['gsm', 'wcdma', 'lte', 'nr'];

/** Key of a WiFi access point from its MAC in any accepted form; null when the MAC is unusable. */
export function wifiKey(mac: string): string | null {
  return compactMac(mac);
}

/** Key of a Bluetooth beacon from its address in any accepted form; null when unusable. */
export function bluetoothKey(mac: string): string | null {
  return compactMac(mac);
}

export function cellKey(id: CellId): string {
  return `${id.radio}/${id.mcc}/${id.mnc}/${id.lac}/${id.cid}`;
}

export function cellAreaKey(id: CellAreaId): string {
  return `${id.radio}/${id.mcc}/${id.mnc}/${id.lac}`;
}

/** The area a cell key belongs to ("lte/208/1/2/1234567" → "lte/208/1/2"). */
export function areaKeyOfCell(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}

function parseParts(key: string, count: number): number[] | null {
  const parts = key.split('/');
  if (parts.length !== count || !RADIOS.includes(parts[0] as Radio)) return null;
  const numbers = parts.slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  return numbers.every(Number.isSafeInteger) ? numbers : null;
}

export function parseCellKey(key: string): CellId | null {
  const n = parseParts(key, 5);
  if (n === null) return null;
  return { radio: key.split('/')[0] as Radio, mcc: n[0]!, mnc: n[1]!, lac: n[2]!, cid: n[3]! };
}

export function parseCellAreaKey(key: string): CellAreaId | null {
  const n = parseParts(key, 4);
  if (n === null) return null;
  return { radio: key.split('/')[0] as Radio, mcc: n[0]!, mnc: n[1]!, lac: n[2]! };
}

/** One string for a station of any kind ("wifi:0123456789ab"), for maps and logs. */
export function stationId(ref: StationRef): string {
  return `${ref.kind}:${ref.key}`;
}
