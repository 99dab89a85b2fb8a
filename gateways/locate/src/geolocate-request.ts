import { FieldReader, join, type JsonObject } from './json-fields';
import { validationFailure } from './errors';
import { dedupeWifi, isOptedOut, validWifi, type WifiEntry } from './wifi-entry';
import { dedupeBluetooth, validBluetooth, type BluetoothEntry } from './bluetooth-entry';
import { dedupeAreas, dedupeCells, GEOLOCATE_RADIO_NAMES, isAreaCell, isFullCell, validCell, type AreaCell, type FullCell } from './cell-entry';

/**
 * `POST /v1/geolocate` (and `/v1/country`, which takes the same body): the
 * Google geolocation API body plus Ichnaea's additions (per-cell
 * `radioType`, `psc`, WiFi `frequency`, `bluetoothBeacons`, `fallbacks`).
 *
 * Contract of `parseGeolocateRequest(body)`:
 * - `body` is the decoded JSON (undefined for an empty body, which is an
 *   IP-only query); a body that is not a mapping, or a field of the wrong
 *   type, throws a LocateError (VANE_ERR_VALIDATION) whose details map each
 *   offending path to a message (the parseError envelope shows them).
 * - Entries that are well-typed but unusable (bad MAC, unknown MCC,
 *   out-of-range identity) are dropped; out-of-range optional fields
 *   become null; duplicates collapse into the better entry.
 * - WiFi networks that opted out (hidden or `_nomap`) are dropped; fewer
 *   than two remaining WiFi networks, or fewer than two beacons, are not
 *   used at all (privacy: one network must never locate a client).
 * - `fallbacks` decides when present (`ipf`, `lacf` default true; an
 *   invalid value takes the default); without it `ipf` is `considerIp`.
 *   Cell areas are only kept when `lacf` allows them.
 */
export interface Fallbacks {
  /** May the client's IP address (GeoIP) answer. */
  ipf: boolean;
  /** May a cell's location area answer when the cell itself is unknown. */
  lacf: boolean;
}

export interface GeolocateRequest {
  /** `considerIp` as sent (default true); `fallbacks.ipf` is what applies. */
  considerIp: boolean;
  fallbacks: Fallbacks;
  carrier: string | null;
  homeMobileCountryCode: number | null;
  homeMobileNetworkCode: number | null;
  wifi: WifiEntry[];
  bluetooth: BluetoothEntry[];
  /** Cells that name themselves (lac and cid known). */
  cells: FullCell[];
  /** Areas of the cells (lac known); empty when `fallbacks.lacf` is false. */
  cellAreas: AreaCell[];
  /** Entries as sent, before any was dropped. */
  sent: { wifi: number; cells: number; bluetooth: number };
  /** WiFi networks dropped because they opted out (hidden or `_nomap`). */
  optedOutWifi: number;
}

/** At least this many distinct usable networks of one kind are needed for them to be used. */
export const MIN_WIFI_IN_QUERY = 2;
export const MIN_BLUETOOTH_IN_QUERY = 2;

/** A query with no network data: answered from GeoIP alone. */
export function isIpOnly(request: GeolocateRequest): boolean {
  return request.wifi.length === 0 && request.bluetooth.length === 0 && request.cells.length === 0 && request.cellAreas.length === 0;
}

export function parseGeolocateRequest(body: unknown): GeolocateRequest {
  const r = new FieldReader();
  const root = body === undefined ? {} : r.object(body, '');
  if (root === null) throw validationFailure(r.errors);

  const topRadio = radioName(r, root, '');
  const considerIp = r.boolean(root, 'considerIp', '') ?? true;
  const carrier = r.string(root, 'carrier', '');
  const homeMobileCountryCode = r.int(root, 'homeMobileCountryCode', '');
  const homeMobileNetworkCode = r.int(root, 'homeMobileNetworkCode', '');
  const fallbacks = readFallbacks(r, root, considerIp);

  const rawWifi = r.list(root, 'wifiAccessPoints', '');
  const rawCells = r.list(root, 'cellTowers', '');
  const rawBlue = r.list(root, 'bluetoothBeacons', '');

  const wifi: WifiEntry[] = [];
  let optedOutWifi = 0;
  rawWifi.forEach((item, i) => {
    const path = join('wifiAccessPoints', i);
    const o = r.object(item, path);
    if (o === null) return;
    const entry = validWifi({
      macAddress: r.string(o, 'macAddress', path),
      ssid: r.string(o, 'ssid', path),
      signalStrength: r.int(o, 'signalStrength', path),
      signalToNoiseRatio: r.int(o, 'signalToNoiseRatio', path),
      channel: r.int(o, 'channel', path),
      frequency: r.int(o, 'frequency', path),
      age: r.int(o, 'age', path),
      radioType: null,
    });
    if (entry === null) return;
    if (isOptedOut(entry.ssid)) optedOutWifi += 1;
    else wifi.push(entry);
  });

  const cells: FullCell[] = [];
  const areas: AreaCell[] = [];
  rawCells.forEach((item, i) => {
    const path = join('cellTowers', i);
    const o = r.object(item, path);
    if (o === null) return;
    const psc = r.int(o, 'primaryScramblingCode', path) ?? r.int(o, 'psc', path);
    const entry = validCell({
      radioType: radioName(r, o, path) ?? topRadio,
      mobileCountryCode: r.int(o, 'mobileCountryCode', path),
      mobileNetworkCode: r.int(o, 'mobileNetworkCode', path),
      locationAreaCode: r.int(o, 'locationAreaCode', path),
      cellId: r.int(o, 'cellId', path),
      primaryScramblingCode: psc,
      signalStrength: r.int(o, 'signalStrength', path),
      asu: r.int(o, 'asu', path),
      timingAdvance: r.int(o, 'timingAdvance', path),
      age: r.int(o, 'age', path),
      serving: r.int(o, 'serving', path),
    });
    if (entry === null) return;
    if (isFullCell(entry)) cells.push(entry);
    if (isAreaCell(entry)) areas.push(entry);
  });

  const bluetooth: BluetoothEntry[] = [];
  rawBlue.forEach((item, i) => {
    const path = join('bluetoothBeacons', i);
    const o = r.object(item, path);
    if (o === null) return;
    const entry = validBluetooth({
      macAddress: r.string(o, 'macAddress', path),
      name: r.string(o, 'name', path),
      signalStrength: r.int(o, 'signalStrength', path),
      age: r.int(o, 'age', path),
    });
    if (entry !== null) bluetooth.push(entry);
  });

  if (r.failed) throw validationFailure(r.errors);

  const uniqueWifi = dedupeWifi(wifi);
  const uniqueBlue = dedupeBluetooth(bluetooth);
  return {
    considerIp,
    fallbacks,
    carrier,
    homeMobileCountryCode,
    homeMobileNetworkCode,
    wifi: uniqueWifi.length >= MIN_WIFI_IN_QUERY ? uniqueWifi : [],
    bluetooth: uniqueBlue.length >= MIN_BLUETOOTH_IN_QUERY ? uniqueBlue : [],
    cells: dedupeCells(cells),
    cellAreas: fallbacks.lacf ? dedupeAreas(areas) : [],
    sent: { wifi: rawWifi.length, cells: rawCells.length, bluetooth: rawBlue.length },
    optedOutWifi,
  };
}

/** `radioType` where the geolocate API takes it: one of its known names, else a validation error. */
function radioName(r: FieldReader, o: JsonObject, path: string): string | null {
  const value = r.string(o, 'radioType', path);
  if (value === null || value === '') return null;
  if (!GEOLOCATE_RADIO_NAMES.includes(value)) {
    r.fail(join(path, 'radioType'), `"${value}" is not one of ${GEOLOCATE_RADIO_NAMES.join(', ')}`);
    return null;
  }
  return value;
}

function readFallbacks(r: FieldReader, root: JsonObject, considerIp: boolean): Fallbacks {
  const value = root['fallbacks'];
  if (value === undefined || value === null) return { ipf: considerIp, lacf: true };
  if (typeof value !== 'object' || Array.isArray(value)) {
    r.fail('fallbacks', `${JSON.stringify(value)} is not a mapping type`);
    return { ipf: considerIp, lacf: true };
  }
  // Invalid flag values take their default, as Ichnaea's schema does.
  const lenient = new FieldReader();
  const o = value as JsonObject;
  return { ipf: lenient.boolean(o, 'ipf', 'fallbacks') ?? true, lacf: lenient.boolean(o, 'lacf', 'fallbacks') ?? true };
}
