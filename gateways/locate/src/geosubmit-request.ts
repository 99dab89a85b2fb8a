import type { GeoSubmission } from '@vane/schemas';
import { FieldReader, join, type JsonObject } from './json-fields';
import { emptyRequest, validationFailure } from './errors';
import { dedupeWifi, isOptedOut, validWifi, type RawWifi, type WifiEntry } from './wifi-entry';
import { dedupeBluetooth, validBluetooth, type BluetoothEntry, type RawBluetooth } from './bluetooth-entry';
import { dedupeCells, isFullCell, validCell, type FullCell, type RawCell } from './cell-entry';
import {
  ACCURACY, AGE, ALTITUDE, ALTITUDE_ACCURACY, HEADING, inRange, LATITUDE, LONGITUDE, PRESSURE, SPEED, TIMESTAMP, type Range,
} from './field-limits';

/**
 * `POST /v2/geosubmit` (and `/v1/geosubmit`, whose items carry the position
 * fields at the top level instead of in `position`): a batch of reports,
 * each a position and the networks seen there.
 *
 * Contract of `parseGeosubmitRequest(body, receivedAt)`:
 * - A body that is empty, not a mapping, or without `items` throws a
 *   LocateError (VANE_ERR_VALIDATION; parseError without details, as
 *   Ichnaea answers); a field of the wrong type throws with details.
 *   `{"items": []}` is a valid, empty batch.
 * - An item is kept when it has a valid position (latitude and longitude in
 *   range and not exactly 0,0) and, after validation, at least one cell or
 *   Bluetooth beacon or two WiFi networks; other items are dropped and
 *   counted. Unusable entries are dropped; opted-out WiFi (hidden or
 *   `_nomap`) is never kept.
 * - `timestamp` (ms) outside 2001–2286, or absent, becomes `receivedAt`.
 * - Ages are kept as sent (relative to the report's timestamp); the
 *   learner makes them relative to the position fix.
 */
export type PositionSource = 'gps' | 'manual' | 'fused' | 'fixed' | 'query';

export interface SubmissionPosition {
  latitude: number;
  longitude: number;
  accuracy: number | null;
  altitude: number | null;
  altitudeAccuracy: number | null;
  /** ms between the position fix and the report's timestamp. */
  age: number | null;
  heading: number | null;
  pressure: number | null;
  speed: number | null;
  source: PositionSource;
}

export interface SubmissionItem {
  /** The report's time (ms since the epoch): its `timestamp`, or the receive time. */
  eventTime: number;
  position: SubmissionPosition;
  wifi: WifiEntry[];
  cells: FullCell[];
  bluetooth: BluetoothEntry[];
}

export interface GeosubmitBatch {
  items: SubmissionItem[];
  /** Items in the body. */
  sent: number;
  /** Items dropped (no valid position, or too few usable networks). */
  dropped: number;
}

/** An item as read from a body (any submit API version), before validation. */
export interface RawItem {
  timestamp: number | null;
  latitude: number | null;
  longitude: number | null;
  accuracy: number | null;
  altitude: number | null;
  altitudeAccuracy: number | null;
  age: number | null;
  heading: number | null;
  pressure: number | null;
  speed: number | null;
  source: string | null;
  radioType: string | null;
  wifi: RawWifi[];
  cells: RawCell[];
  bluetooth: RawBluetooth[];
}

export function parseGeosubmitRequest(body: unknown, receivedAt: number): GeosubmitBatch {
  const r = new FieldReader();
  if (body === undefined) throw emptyRequest('the body is empty; a submission needs {"items": [...]}');
  const root = r.object(body, '');
  if (root === null) throw validationFailure(r.errors);
  if (root['items'] === undefined || root['items'] === null) throw emptyRequest('a submission needs {"items": [...]}');
  const rawItems = r.list(root, 'items', '');
  const raws: RawItem[] = [];
  rawItems.forEach((value, i) => {
    const path = join('items', i);
    const item = r.object(value, path);
    if (item !== null) raws.push(readItemV2(r, item, path));
  });
  if (r.failed) throw validationFailure(r.errors);
  return validBatch(raws, rawItems.length, receivedAt);
}

/** Validates read items into a batch (shared by every submit API version). */
export function validBatch(raws: readonly RawItem[], sent: number, receivedAt: number): GeosubmitBatch {
  const items: SubmissionItem[] = [];
  for (const raw of raws) {
    const item = validItem(raw, receivedAt);
    if (item !== null) items.push(item);
  }
  return { items, sent, dropped: sent - items.length };
}

/** Minimum networks of a report: one cell or beacon, or two WiFi networks. */
export function hasEnoughNetworks(item: Pick<SubmissionItem, 'wifi' | 'cells' | 'bluetooth'>): boolean {
  return item.cells.length >= 1 || item.bluetooth.length >= 1 || item.wifi.length >= 2;
}

export function validItem(raw: RawItem, receivedAt: number): SubmissionItem | null {
  const { latitude, longitude } = raw;
  if (latitude === null || longitude === null || !inRange(latitude, LATITUDE) || !inRange(longitude, LONGITUDE)) return null;
  if (latitude === 0 && longitude === 0) return null;
  const keep = (value: number | null, range: Range): number | null => (value !== null && inRange(value, range) ? value : null);
  const position: SubmissionPosition = {
    latitude,
    longitude,
    accuracy: keep(raw.accuracy, ACCURACY),
    altitude: keep(raw.altitude, ALTITUDE),
    altitudeAccuracy: keep(raw.altitudeAccuracy, ALTITUDE_ACCURACY),
    age: keep(raw.age, AGE),
    heading: keep(raw.heading, HEADING),
    pressure: keep(raw.pressure, PRESSURE),
    speed: keep(raw.speed, SPEED),
    source: positionSource(raw.source),
  };
  const wifi = dedupeWifi(raw.wifi.map(validWifi).filter((w): w is WifiEntry => w !== null && !isOptedOut(w.ssid)));
  const cells = dedupeCells(
    raw.cells
      .map((c) => validCell({ ...c, radioType: c.radioType ?? raw.radioType }))
      .filter((c): c is FullCell => c !== null && isFullCell(c)),
  );
  const bluetooth = dedupeBluetooth(raw.bluetooth.map(validBluetooth).filter((b): b is BluetoothEntry => b !== null));
  const item = { eventTime: keepTimestamp(raw.timestamp, receivedAt), position, wifi, cells, bluetooth };
  return hasEnoughNetworks(item) ? item : null;
}

/** "gps" and Ichnaea's "gnss" are satellite fixes; an unknown or absent source counts as one, as Ichnaea assumes. */
export function positionSource(source: string | null): PositionSource {
  switch (source?.toLowerCase()) {
    case 'manual':
      return 'manual';
    case 'fused':
      return 'fused';
    case 'fixed':
      return 'fixed';
    case 'query':
      return 'query';
    default:
      return 'gps';
  }
}

export function keepTimestamp(timestamp: number | null, receivedAt: number): number {
  return timestamp !== null && timestamp > TIMESTAMP.min && timestamp < TIMESTAMP.max ? timestamp : receivedAt;
}

function readItemV2(r: FieldReader, item: JsonObject, path: string): RawItem {
  // /v2/geosubmit nests the position; /v1/geosubmit puts its fields on the item.
  const nested = r.child(item, 'position', path);
  const position = nested ?? item;
  const positionPath = nested === null ? path : join(path, 'position');
  const wifi = r.list(item, 'wifiAccessPoints', path).flatMap((value, i): RawWifi[] => {
    const p = join(join(path, 'wifiAccessPoints'), i);
    const o = r.object(value, p);
    if (o === null) return [];
    return [{
      macAddress: r.string(o, 'macAddress', p),
      ssid: r.string(o, 'ssid', p),
      signalStrength: r.int(o, 'signalStrength', p),
      signalToNoiseRatio: r.int(o, 'signalToNoiseRatio', p),
      channel: r.int(o, 'channel', p),
      frequency: r.int(o, 'frequency', p),
      age: r.int(o, 'age', p),
      radioType: r.string(o, 'radioType', p),
    }];
  });
  const cells = r.list(item, 'cellTowers', path).flatMap((value, i): RawCell[] => {
    const p = join(join(path, 'cellTowers'), i);
    const o = r.object(value, p);
    if (o === null) return [];
    return [{
      radioType: r.string(o, 'radioType', p),
      mobileCountryCode: r.int(o, 'mobileCountryCode', p),
      mobileNetworkCode: r.int(o, 'mobileNetworkCode', p),
      locationAreaCode: r.int(o, 'locationAreaCode', p),
      cellId: r.int(o, 'cellId', p),
      primaryScramblingCode: r.int(o, 'primaryScramblingCode', p) ?? r.int(o, 'psc', p),
      signalStrength: r.int(o, 'signalStrength', p),
      asu: r.int(o, 'asu', p),
      timingAdvance: r.int(o, 'timingAdvance', p),
      age: r.int(o, 'age', p),
      serving: r.int(o, 'serving', p),
    }];
  });
  const bluetooth = r.list(item, 'bluetoothBeacons', path).flatMap((value, i): RawBluetooth[] => {
    const p = join(join(path, 'bluetoothBeacons'), i);
    const o = r.object(value, p);
    if (o === null) return [];
    return [{ macAddress: r.string(o, 'macAddress', p), name: r.string(o, 'name', p), signalStrength: r.int(o, 'signalStrength', p), age: r.int(o, 'age', p) }];
  });
  return {
    timestamp: r.int(item, 'timestamp', path),
    latitude: r.float(position, 'latitude', positionPath),
    longitude: r.float(position, 'longitude', positionPath),
    accuracy: r.float(position, 'accuracy', positionPath),
    altitude: r.float(position, 'altitude', positionPath),
    altitudeAccuracy: r.float(position, 'altitudeAccuracy', positionPath),
    age: r.int(position, 'age', positionPath),
    heading: r.float(position, 'heading', positionPath),
    pressure: r.float(position, 'pressure', positionPath),
    speed: r.float(position, 'speed', positionPath),
    source: r.string(position, 'source', positionPath),
    radioType: r.string(item, 'radioType', path),
    wifi,
    cells,
    bluetooth,
  };
}

/**
 * The `ingest.geosubmit.v1` record of a kept item. Fields the current
 * schema has no place for (cell age/psc/asu/ta, WiFi frequency/snr, beacon
 * age and name, altitude accuracy, pressure) are not written; see
 * SCHEMA-PROPOSAL.md.
 */
export function toGeoSubmission(item: SubmissionItem, ids: { observationId: string; receivedAt: number; apiKeyId: string }): GeoSubmission {
  const p = item.position;
  return {
    observationId: ids.observationId,
    receivedAt: ids.receivedAt,
    eventTime: item.eventTime,
    apiKeyId: ids.apiKeyId,
    position: {
      latitude: p.latitude,
      longitude: p.longitude,
      accuracy: p.accuracy,
      altitude: p.altitude,
      source: p.source,
      age: p.age,
      speed: p.speed,
      heading: p.heading,
    },
    wifi: item.wifi.map((w) => ({ mac: w.mac, ssid: w.ssid, signal: w.signal, channel: w.channel, age: w.age })),
    cells: item.cells.map((c) => ({ radio: c.radio, mcc: c.mcc, mnc: c.mnc, lac: c.lac, cid: c.cid, signal: c.signal })),
    bluetooth: item.bluetooth.map((b) => ({ mac: b.mac, signal: b.signal })),
  };
}
