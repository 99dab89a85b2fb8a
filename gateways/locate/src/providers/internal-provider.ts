import type { GeolocateRequest } from '../geolocate-request';
import { CELL_SIGNAL, BLUETOOTH_SIGNAL, WIFI_SIGNAL } from '../field-limits';
import { isUsable, type StationRecord } from '../station-record';
import { areaKeyOfCell, bluetoothKey, cellAreaKey, cellKey, wifiKey, type StationKind } from '../station-keys';
import { regionName } from '../mobile-codes';
import { aggregatePosition, type Evidence } from './aggregate';
import { clusterPoints } from './station-clusters';
import { stationScore } from './station-score';
import { positionsSatisfy, type DataAccuracy, type PositionResult, type RegionResult } from './results';
import { REGION_RADIUS_METERS } from './geoip-provider';

/**
 * The internal provider: positions and regions from learned stations.
 *
 * Use: `internalShouldSearch(request, resultsSoFar)` says whether the
 * stations are worth looking up; `internalLookupKeys(request)` names them;
 * the caller fetches those rows (any missing, blocked or position-less
 * ones are ignored here) and passes them to `internalPositions` /
 * `internalRegions` with the current time.
 *
 * Positions, most precise first (every kind is searched; the best result wins):
 * - Bluetooth: groups of ≥ 2 agreeing beacons within 100 m; accuracy 10–50 m; at most 10 beacons per group.
 * - WiFi: groups of ≥ 2 agreeing networks within 500 m; accuracy 10–500 m; at most 20 networks per group.
 * - Cells: the known cells of each area averaged; accuracy 1–50 km (a single cell: its radius, clamped).
 * - Cell areas (only when no cell is known and `lacf` allows): each area its own result, 50–500 km, fallback "lacf".
 * The networks of a group are its best-scored ones.
 */
export interface FoundStations {
  wifi: readonly StationRecord[];
  bluetooth: readonly StationRecord[];
  cells: readonly StationRecord[];
  cellAreas: readonly StationRecord[];
}

export interface StationLookup {
  wifi: string[];
  bluetooth: string[];
  cells: string[];
  cellAreas: string[];
}

export const NO_STATIONS: FoundStations = { wifi: [], bluetooth: [], cells: [], cellAreas: [] };

interface Tuning {
  maxDistance: number;
  maxStations: number;
  minAccuracy: number;
  maxAccuracy: number;
  weakestSignal: number;
}

const BLUETOOTH: Tuning = { maxDistance: 100, maxStations: 10, minAccuracy: 10, maxAccuracy: 50, weakestSignal: BLUETOOTH_SIGNAL.min };
const WIFI: Tuning = { maxDistance: 500, maxStations: 20, minAccuracy: 10, maxAccuracy: 500, weakestSignal: WIFI_SIGNAL.min };
export const CELL_ACCURACY = { min: 1_000, max: 50_000 };
export const CELL_AREA_ACCURACY = { min: 50_000, max: 500_000 };
/** Observation ages under a second are not told apart. */
const MIN_AGE_MS = 1000;

export function internalLookupKeys(request: GeolocateRequest): StationLookup {
  return {
    wifi: request.wifi.map((w) => wifiKey(w.mac)).filter((k): k is string => k !== null),
    bluetooth: request.bluetooth.map((b) => bluetoothKey(b.mac)).filter((k): k is string => k !== null),
    cells: request.cells.map((c) => cellKey(c)),
    cellAreas: request.cellAreas.map((c) => cellAreaKey(c)),
  };
}

/** The accuracy class the query's data could reach (Ichnaea's expected accuracy). */
export function expectedAccuracy(request: GeolocateRequest, api: 'locate' | 'region', hasIp: boolean): DataAccuracy {
  const classes: DataAccuracy[] = ['none'];
  if (api === 'region') {
    if (request.bluetooth.length || request.cells.length || request.wifi.length) classes.push('low');
  } else {
    if (request.cells.length) classes.push('medium');
    if (request.bluetooth.length || request.wifi.length) classes.push('high');
  }
  if (request.cellAreas.length || (hasIp && request.fallbacks.ipf)) classes.push('low');
  const order: DataAccuracy[] = ['high', 'medium', 'low', 'none'];
  return order.find((c) => classes.includes(c))!;
}

/** Search when the query names any station and the results so far do not already answer it fully. */
export function internalShouldSearch(request: GeolocateRequest, resultsSoFar: readonly PositionResult[], hasIp = false): boolean {
  const keys = internalLookupKeys(request);
  if (keys.wifi.length + keys.bluetooth.length + keys.cells.length + keys.cellAreas.length === 0) return false;
  return !positionsSatisfy(resultsSoFar, expectedAccuracy(request, 'locate', hasIp));
}

function byKey(stations: readonly StationRecord[], kind: StationKind, now: number): Map<string, StationRecord & { lat: number; lon: number }> {
  const map = new Map<string, StationRecord & { lat: number; lon: number }>();
  for (const s of stations) if (s.kind === kind && isUsable(s, now)) map.set(s.key, s);
  return map;
}

type Point = Evidence & { kind: StationKind; key: string };

function macResults(
  lookups: readonly { mac: string; age: number | null; signal: number | null }[],
  stations: readonly StationRecord[],
  kind: 'wifi' | 'bluetooth',
  tuning: Tuning,
  now: number,
): PositionResult[] {
  const found = byKey(stations, kind, now);
  const points: Point[] = [];
  for (const l of lookups) {
    const key = (kind === 'wifi' ? wifiKey : bluetoothKey)(l.mac);
    const s = key === null ? undefined : found.get(key);
    if (!s || key === null) continue;
    points.push({
      kind, key, lat: s.lat, lon: s.lon, radius: s.radius,
      age: Math.max(Math.abs(l.age ?? 0), MIN_AGE_MS),
      signal: l.signal ?? tuning.weakestSignal,
      score: stationScore(s, now),
    });
  }
  points.sort((a, b) => b.score - a.score);
  return clusterPoints(points, tuning.maxDistance).map((cluster) => {
    const sample = [...cluster].sort((a, b) => b.score - a.score).slice(0, tuning.maxStations);
    const { lat, lon, accuracy } = aggregatePosition(sample, tuning.minAccuracy, tuning.maxAccuracy);
    return {
      lat, lon, accuracy,
      score: cluster.reduce((sum, p) => sum + p.score, 0),
      source: 'internal' as const,
      fallback: null,
      used: sample.map((p) => ({ kind: p.kind, key: p.key })),
    };
  });
}

function groupResult(points: readonly Point[], min: number, max: number, fallback: 'lacf' | null): PositionResult {
  const score = points.reduce((s, p) => s + p.score, 0);
  if (points.length === 1) {
    const p = points[0]!;
    return { lat: p.lat, lon: p.lon, accuracy: Math.min(Math.max(p.radius ?? 0, min), max), score, source: 'internal', fallback, used: [{ kind: p.kind, key: p.key }] };
  }
  const { lat, lon, accuracy } = aggregatePosition(points, min, max);
  return { lat, lon, accuracy, score, source: 'internal', fallback, used: points.map((p) => ({ kind: p.kind, key: p.key })) };
}

function cellResults(request: GeolocateRequest, found: FoundStations, now: number): PositionResult[] {
  const cells = byKey(found.cells, 'cell', now);
  const byArea = new Map<string, Point[]>();
  for (const c of request.cells) {
    const key = cellKey(c);
    const s = cells.get(key);
    if (!s) continue;
    const point: Point = {
      kind: 'cell', key, lat: s.lat, lon: s.lon, radius: s.radius,
      age: Math.max(Math.abs(c.age ?? 0), MIN_AGE_MS),
      signal: c.signal ?? CELL_SIGNAL[c.radio].min,
      score: stationScore(s, now),
    };
    const area = areaKeyOfCell(key);
    byArea.set(area, [...(byArea.get(area) ?? []), point]);
  }
  const results = [...byArea.values()].map((points) => groupResult(points, CELL_ACCURACY.min, CELL_ACCURACY.max, null));
  if (results.length > 0 || !request.fallbacks.lacf) return results;
  const areas = byKey(found.cellAreas, 'cellArea', now);
  return request.cellAreas.flatMap((c) => {
    const key = cellAreaKey(c);
    const s = areas.get(key);
    if (!s) return [];
    const point: Point = {
      kind: 'cellArea', key, lat: s.lat, lon: s.lon, radius: s.radius,
      age: Math.max(Math.abs(c.age ?? 0), MIN_AGE_MS),
      signal: c.signal ?? CELL_SIGNAL[c.radio].min,
      score: stationScore(s, now),
    };
    return [groupResult([point], CELL_AREA_ACCURACY.min, CELL_AREA_ACCURACY.max, 'lacf')];
  });
}

export function internalPositions(request: GeolocateRequest, found: FoundStations, now: number): PositionResult[] {
  return [
    ...macResults(request.bluetooth, found.bluetooth, 'bluetooth', BLUETOOTH, now),
    ...macResults(request.wifi, found.wifi, 'wifi', WIFI, now),
    ...cellResults(request, found, now),
  ];
}

/**
 * Regions from learned WiFi and Bluetooth stations: each usable station
 * found votes for its region with its score (a region is coarse enough
 * that one station may vote). Cells vote by their country code (region.ts).
 */
export function internalStationRegions(request: GeolocateRequest, found: FoundStations, now: number): RegionResult[] {
  const votes = new Map<string, number>();
  const vote = (stations: readonly StationRecord[], kind: 'wifi' | 'bluetooth', keys: readonly string[]): void => {
    const map = byKey(stations, kind, now);
    for (const key of keys) {
      const s = map.get(key);
      if (s?.region) votes.set(s.region, (votes.get(s.region) ?? 0) + stationScore(s, now));
    }
  };
  const keys = internalLookupKeys(request);
  vote(found.wifi, 'wifi', keys.wifi);
  vote(found.bluetooth, 'bluetooth', keys.bluetooth);
  return [...votes].flatMap(([code, score]) => {
    const name = regionName(code);
    return name === null ? [] : [{ code, name, accuracy: REGION_RADIUS_METERS, score, source: 'internal' as const, fallback: null }];
  });
}

