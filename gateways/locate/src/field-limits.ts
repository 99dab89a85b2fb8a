/**
 * Valid ranges of the fields of locate and submit bodies, the same as
 * Ichnaea's (mozilla/ichnaea, models/constants.py). A value outside its range
 * is treated as not sent (the field becomes null); an entry whose identity
 * (MAC, or radio/mcc/mnc/lac/cid) is out of range is dropped.
 */
export type Radio = 'gsm' | 'wcdma' | 'lte' | 'nr';

export interface Range {
  min: number;
  max: number;
}

export const inRange = (value: number, range: Range): boolean => value >= range.min && value <= range.max;

/** Ages (ms, relative to the observation) may be negative: up to one hour either way. */
export const AGE: Range = { min: -3_600_000, max: 3_600_000 };

export const LATITUDE: Range = { min: -90, max: 90 };
export const LONGITUDE: Range = { min: -180, max: 180 };
/** Position accuracy in metres: 0 to 1,000 km. */
export const ACCURACY: Range = { min: 0, max: 1_000_000 };
/** Challenger Deep to the Kármán line. */
export const ALTITUDE: Range = { min: -10_911, max: 100_000 };
export const ALTITUDE_ACCURACY: Range = { min: 0, max: 110_911 };
export const HEADING: Range = { min: 0, max: 360 };
/** Air pressure in hPa. */
export const PRESSURE: Range = { min: 100, max: 1200 };
/** Metres per second: a bit under the speed of sound. */
export const SPEED: Range = { min: 0, max: 300 };
/** Observation timestamps (ms since the epoch) outside 2001–2286 are replaced by the receive time. */
export const TIMESTAMP: Range = { min: 1e12, max: 1e13 };

export const WIFI_CHANNEL: Range = { min: 1, max: 199 };
export const WIFI_FREQUENCY: Range = { min: 2400, max: 5999 };
export const WIFI_SIGNAL: Range = { min: -100, max: -10 };
export const WIFI_SNR: Range = { min: 1, max: 100 };

export const BLUETOOTH_SIGNAL: Range = { min: -127, max: 0 };

export const MNC: Range = { min: 0, max: 999 };
/** 0 and 65534 are reserved (deleted state) in GSM/LTE; 65535 is not a real area. */
export const LAC: Range = { min: 1, max: 65_533 };
/** NR tracking area codes are 24 bits. */
export const LAC_NR: Range = { min: 1, max: 16_777_215 };
/** 28-bit cell identities (UMTS/LTE); GSM cell ids are 16 bits (a larger one means the cell is really WCDMA). */
export const CID: Range = { min: 1, max: 2 ** 28 - 1 };
export const CID_GSM_MAX = 2 ** 16 - 1;
/** NR cell identities are 36 bits. */
export const CID_NR: Range = { min: 1, max: 2 ** 36 - 1 };
/** Primary scrambling code (WCDMA) or physical cell id (LTE ≤ 503, NR ≤ 1007). */
export const PSC: Range = { min: 0, max: 511 };
export const PSC_LTE_MAX = 503;
export const PSC_NR_MAX = 1007;
export const TIMING_ADVANCE: Range = { min: 0, max: 63 };

export const CELL_ASU: Record<Radio, Range> = {
  gsm: { min: 0, max: 31 },
  wcdma: { min: -5, max: 91 },
  lte: { min: 0, max: 97 },
  nr: { min: 0, max: 97 },
};

export const CELL_SIGNAL: Record<Radio, Range> = {
  gsm: { min: -113, max: -51 },
  wcdma: { min: -121, max: -25 },
  lte: { min: -140, max: -43 },
  nr: { min: -156, max: -31 },
};

/** Signal in dBm from an arbitrary strength unit (3GPP mappings); null for NR, whose ASU scale varies by device. */
export function signalFromAsu(radio: Radio, asu: number): number | null {
  switch (radio) {
    case 'gsm':
      return asu * 2 - 113;
    case 'wcdma':
      return asu - 116;
    case 'lte':
      return asu - 140;
    case 'nr':
      return null;
  }
}
