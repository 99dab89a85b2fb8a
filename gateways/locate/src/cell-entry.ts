import {
  AGE, CELL_ASU, CELL_SIGNAL, CID, CID_GSM_MAX, CID_NR, inRange, LAC, LAC_NR, MNC, PSC, PSC_LTE_MAX, PSC_NR_MAX,
  signalFromAsu, TIMING_ADVANCE, type Radio,
} from './field-limits';
import { isKnownMcc } from './mobile-codes';
import { dedupe, type Comparator } from './dedupe';
import { cellAreaKey, cellKey } from './station-keys';

/**
 * One cell of a query or submission, validated. `lac` and `cid` may be null
 * (a neighbour cell reported by its scrambling code only): such a cell can
 * still name its area (when `lac` is known) but not itself.
 */
export interface CellEntry {
  radio: Radio;
  mcc: number;
  mnc: number;
  lac: number | null;
  cid: number | null;
  /** Primary scrambling code (WCDMA) or physical cell id (LTE, NR). */
  psc: number | null;
  /** dBm (RSSI, RSCP or RSRP by radio); derived from `asu` when only that was sent. */
  signal: number | null;
  asu: number | null;
  /** Timing advance 0–63 (never for WCDMA). */
  ta: number | null;
  age: number | null;
  /** 1 for the serving cell, 0 for a neighbour; null when not said. */
  serving: number | null;
}

export interface RawCell {
  radioType: string | null;
  mobileCountryCode: number | null;
  mobileNetworkCode: number | null;
  locationAreaCode: number | null;
  cellId: number | null;
  primaryScramblingCode: number | null;
  signalStrength: number | null;
  asu: number | null;
  timingAdvance: number | null;
  age: number | null;
  serving: number | null;
}

/**
 * Radio names clients send → radio. "umts" is WCDMA; CDMA is not supported
 * (its cells are dropped), as in Ichnaea.
 */
export function radioOf(name: string | null): Radio | null {
  switch (name?.toLowerCase()) {
    case 'gsm':
      return 'gsm';
    case 'wcdma':
    case 'umts':
      return 'wcdma';
    case 'lte':
      return 'lte';
    case 'nr':
      return 'nr';
    default:
      return null;
  }
}

/** Radio names the geolocate API accepts at all (another value is a parseError). */
export const GEOLOCATE_RADIO_NAMES: readonly string[] = ['gsm', 'cdma', 'wcdma', 'lte', 'nr'];

/** The cell with out-of-range fields nulled, or null when its radio, mcc or mnc is unusable. */
export function validCell(raw: RawCell): CellEntry | null {
  let radio = radioOf(raw.radioType);
  if (radio === null || raw.mobileCountryCode === null || raw.mobileNetworkCode === null) return null;
  if (!isKnownMcc(raw.mobileCountryCode) || !inRange(raw.mobileNetworkCode, MNC)) return null;
  // A GSM cell id beyond 16 bits is a WCDMA cell reported with the wrong radio.
  if (radio === 'gsm' && raw.cellId !== null && raw.cellId > CID_GSM_MAX) radio = 'wcdma';
  const lac = raw.locationAreaCode !== null && inRange(raw.locationAreaCode, radio === 'nr' ? LAC_NR : LAC) ? raw.locationAreaCode : null;
  const cid = raw.cellId !== null && inRange(raw.cellId, radio === 'nr' ? CID_NR : CID) ? raw.cellId : null;
  const pscMax = radio === 'lte' ? PSC_LTE_MAX : radio === 'nr' ? PSC_NR_MAX : PSC.max;
  const psc = raw.primaryScramblingCode !== null && raw.primaryScramblingCode >= PSC.min && raw.primaryScramblingCode <= pscMax ? raw.primaryScramblingCode : null;

  let asu = raw.asu;
  let signal = raw.signalStrength;
  // Some clients swap the two fields: a strongly negative "asu" is really a dBm value.
  if (asu !== null && asu < -5 && (signal === null || signal >= 0)) {
    signal = asu;
    asu = null;
  }
  if (asu !== null && !inRange(asu, CELL_ASU[radio])) asu = null;
  if (signal !== null && !inRange(signal, CELL_SIGNAL[radio])) signal = null;
  if (signal === null && asu !== null) signal = signalFromAsu(radio, asu);
  const ta = radio !== 'wcdma' && raw.timingAdvance !== null && inRange(raw.timingAdvance, TIMING_ADVANCE) ? raw.timingAdvance : null;
  const age = raw.age !== null && inRange(raw.age, AGE) ? raw.age : null;
  const serving = raw.serving === 0 || raw.serving === 1 ? raw.serving : null;
  return { radio, mcc: raw.mobileCountryCode, mnc: raw.mobileNetworkCode, lac, cid, psc, signal, asu, ta, age, serving };
}

/** A cell that names itself: radio, mcc, mnc, lac and cid all known. */
export type FullCell = CellEntry & { lac: number; cid: number };
/** A cell that names at least its area. */
export type AreaCell = CellEntry & { lac: number };

export const isFullCell = (c: CellEntry): c is FullCell => c.lac !== null && c.cid !== null;
export const isAreaCell = (c: CellEntry): c is AreaCell => c.lac !== null;

/** Smaller timing advance, stronger signal, higher ASU, then more recent. */
const CELL_ORDER: readonly Comparator<CellEntry>[] = [
  [(c) => c.ta, false],
  [(c) => c.signal, true],
  [(c) => c.asu, true],
  [(c) => (c.age === null ? null : Math.abs(c.age)), false],
];

export function dedupeCells(entries: readonly FullCell[]): FullCell[] {
  return dedupe(entries, (c) => cellKey(c), CELL_ORDER);
}

export function dedupeAreas(entries: readonly AreaCell[]): AreaCell[] {
  return dedupe(entries, (c) => cellAreaKey(c), CELL_ORDER);
}
