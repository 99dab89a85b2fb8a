import { normaliseMac } from './mac-address';
import { AGE, BLUETOOTH_SIGNAL, inRange } from './field-limits';
import { dedupe, type Comparator } from './dedupe';

/** One Bluetooth Low Energy beacon of a query or submission, validated. */
export interface BluetoothEntry {
  /** Beacon address, lower-case, colon separated. */
  mac: string;
  /** Beacon name as sent; null when not sent. */
  name: string | null;
  /** dBm, -127 to 0. */
  signal: number | null;
  /** ms since the beacon was seen, relative to the query or observation. */
  age: number | null;
}

export interface RawBluetooth {
  macAddress: string | null;
  name: string | null;
  signalStrength: number | null;
  age: number | null;
}

/** The entry with out-of-range fields nulled, or null when its address is unusable. */
export function validBluetooth(raw: RawBluetooth): BluetoothEntry | null {
  const mac = raw.macAddress === null ? null : normaliseMac(raw.macAddress);
  if (mac === null) return null;
  return {
    mac,
    name: raw.name,
    signal: raw.signalStrength !== null && inRange(raw.signalStrength, BLUETOOTH_SIGNAL) ? raw.signalStrength : null,
    age: raw.age !== null && inRange(raw.age, AGE) ? raw.age : null,
  };
}

/** Stronger signal, then more recent. */
const BLUETOOTH_ORDER: readonly Comparator<BluetoothEntry>[] = [
  [(b) => b.signal, true],
  [(b) => (b.age === null ? null : Math.abs(b.age)), false],
];

export function dedupeBluetooth(entries: readonly BluetoothEntry[]): BluetoothEntry[] {
  return dedupe(entries, (b) => b.mac, BLUETOOTH_ORDER);
}
