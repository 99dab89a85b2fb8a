import { FieldReader, join, type JsonObject } from './json-fields';
import { emptyRequest, validationFailure } from './errors';
import { validBatch, type GeosubmitBatch, type RawItem } from './geosubmit-request';
import type { RawWifi } from './wifi-entry';
import type { RawCell } from './cell-entry';
import type { RawBluetooth } from './bluetooth-entry';

/**
 * `POST /v1/submit`, Ichnaea's first (deprecated) submit API, answered with
 * 204: items with `lat`, `lon`, an ISO 8601 `time`, `accuracy`,
 * `altitude`, `altitude_accuracy`, `heading`, `speed`, `source`, a default
 * `radio`, and `wifi` [{key, signal, channel, frequency, age, ssid,
 * signalToNoiseRatio}], `cell` [{radio, mcc, mnc, lac, cid, psc, signal,
 * asu, ta, age, serving}], `blue` [{key, signal, age, name}]. Items are
 * validated exactly like geosubmit items (same rules, same batch result).
 */
export function parseSubmitRequest(body: unknown, receivedAt: number): GeosubmitBatch {
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
    if (item !== null) raws.push(readItemV0(r, item, path, receivedAt));
  });
  if (r.failed) throw validationFailure(r.errors);
  return validBatch(raws, rawItems.length, receivedAt);
}

function readItemV0(r: FieldReader, item: JsonObject, path: string, receivedAt: number): RawItem {
  const wifi = r.list(item, 'wifi', path).flatMap((value, i): RawWifi[] => {
    const p = join(join(path, 'wifi'), i);
    const o = r.object(value, p);
    if (o === null) return [];
    return [{
      macAddress: r.string(o, 'key', p),
      ssid: r.string(o, 'ssid', p),
      signalStrength: r.int(o, 'signal', p),
      signalToNoiseRatio: r.int(o, 'signalToNoiseRatio', p),
      channel: r.int(o, 'channel', p),
      frequency: r.int(o, 'frequency', p),
      age: r.int(o, 'age', p),
      radioType: r.string(o, 'radio', p),
    }];
  });
  const cells = r.list(item, 'cell', path).flatMap((value, i): RawCell[] => {
    const p = join(join(path, 'cell'), i);
    const o = r.object(value, p);
    if (o === null) return [];
    return [{
      radioType: r.string(o, 'radio', p),
      mobileCountryCode: r.int(o, 'mcc', p),
      mobileNetworkCode: r.int(o, 'mnc', p),
      locationAreaCode: r.int(o, 'lac', p),
      cellId: r.int(o, 'cid', p),
      primaryScramblingCode: r.int(o, 'psc', p),
      signalStrength: r.int(o, 'signal', p),
      asu: r.int(o, 'asu', p),
      timingAdvance: r.int(o, 'ta', p),
      age: r.int(o, 'age', p),
      serving: r.int(o, 'serving', p),
    }];
  });
  const bluetooth = r.list(item, 'blue', path).flatMap((value, i): RawBluetooth[] => {
    const p = join(join(path, 'blue'), i);
    const o = r.object(value, p);
    if (o === null) return [];
    return [{ macAddress: r.string(o, 'key', p), name: r.string(o, 'name', p), signalStrength: r.int(o, 'signal', p), age: r.int(o, 'age', p) }];
  });
  const time = r.string(item, 'time', path);
  const parsed = time === null ? Number.NaN : Date.parse(time);
  return {
    timestamp: Number.isFinite(parsed) ? parsed : receivedAt,
    latitude: r.float(item, 'lat', path),
    longitude: r.float(item, 'lon', path),
    accuracy: r.float(item, 'accuracy', path),
    altitude: r.float(item, 'altitude', path),
    altitudeAccuracy: r.float(item, 'altitude_accuracy', path),
    age: r.int(item, 'age', path),
    heading: r.float(item, 'heading', path),
    pressure: r.float(item, 'pressure', path),
    speed: r.float(item, 'speed', path),
    source: r.string(item, 'source', path),
    radioType: r.string(item, 'radio', path),
    wifi,
    cells,
    bluetooth,
  };
}
