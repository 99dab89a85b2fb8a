import type { GeoSubmission, LocateQuery } from '@vane/schemas';
import { bluetoothKey, cellKey, radioOf, stationId, wifiKey, type Radio, type StationKind } from '@vane/locate';

/**
 * One sighting of one station at a known position: the unit the learner
 * folds. Built from `ingest.geosubmit.v1` records (satellite or fused
 * positions) and from `locate.queries.v1` records answered from learned
 * stations (the answer is the position, its accuracy the position's).
 */
export type ObservedKind = Exclude<StationKind, 'cellArea'>;

export interface Observation {
  kind: ObservedKind;
  key: string;
  /** Cells only: their radio (the signal weight depends on it). */
  radio: Radio | null;
  lat: number;
  lon: number;
  /** Metres; null when unknown (counts as 10 m). */
  accuracy: number | null;
  /** ms between seeing the station and the position fix; null when unknown (counts as 2 s). */
  age: number | null;
  /** m/s; null when unknown (counts as 1 m/s). */
  speed: number | null;
  /** dBm; null when unknown (a kind-specific median is assumed). */
  signal: number | null;
  /** "gnss" covers gps, manual, fused and fixed positions; "query" positions come from locate answers. */
  source: 'gnss' | 'query';
  /** When it was observed (ms since the epoch). */
  time: number;
}

/**
 * A submission as the learner reads it: the current schema, plus the
 * per-entry ages that SCHEMA-PROPOSAL.md adds for cells and beacons (absent
 * until then, which means "unknown").
 */
export type SubmissionInput = Omit<GeoSubmission, 'cells' | 'bluetooth'> & {
  cells: (GeoSubmission['cells'][number] & { age?: number | null })[];
  bluetooth: (GeoSubmission['bluetooth'][number] & { age?: number | null })[];
};

/** Entry age relative to the position fix (entry and fix ages are both relative to the report time). */
function relativeAge(entryAge: number | null | undefined, fixAge: number | null): number | null {
  if ((entryAge ?? null) === null && fixAge === null) return null;
  return (entryAge ?? 0) - (fixAge ?? 0);
}

export function observationsFromSubmission(sub: SubmissionInput): Observation[] {
  const p = sub.position;
  const source = p.source === 'query' ? 'query' : 'gnss';
  const base = { lat: p.latitude, lon: p.longitude, accuracy: p.accuracy, speed: p.speed, source, time: sub.eventTime } as const;
  const out: Observation[] = [];
  for (const w of sub.wifi) {
    const key = wifiKey(w.mac);
    if (key !== null) out.push({ ...base, kind: 'wifi', key, radio: null, age: relativeAge(w.age, p.age), signal: w.signal });
  }
  for (const b of sub.bluetooth) {
    const key = bluetoothKey(b.mac);
    if (key !== null) out.push({ ...base, kind: 'bluetooth', key, radio: null, age: relativeAge(b.age, p.age), signal: b.signal });
  }
  for (const c of sub.cells) {
    const radio = radioOf(c.radio);
    if (radio === null) continue;
    out.push({ ...base, kind: 'cell', key: cellKey({ radio, mcc: c.mcc, mnc: c.mnc, lac: c.lac, cid: c.cid }), radio, age: relativeAge(c.age, p.age), signal: c.signal });
  }
  return out;
}

/**
 * Observations from a query the gateway answered from learned stations
 * (source "internal"): every network the query named is taken as seen at
 * the answered position. GeoIP or unanswered queries teach nothing. The
 * answer's accuracy sets the weight, so a cell-based answer (≥ 1 km) never
 * moves a WiFi network (weight 0 past 200 m).
 */
export function observationsFromQuery(query: LocateQuery): Observation[] {
  if (query.kind !== 'locate' || query.answer === null || query.source !== 'internal') return [];
  return observationsFromSubmission({
    observationId: query.queryId,
    receivedAt: query.at,
    eventTime: query.at,
    apiKeyId: query.apiKeyId,
    position: { latitude: query.answer.latitude, longitude: query.answer.longitude, accuracy: query.answer.accuracy, altitude: null, source: 'query', age: null, speed: null, heading: null },
    wifi: query.wifi,
    cells: query.cells,
    bluetooth: query.bluetooth,
  });
}

/** Observations grouped per station ("kind:key"), in input order. */
export function groupByStation(observations: readonly Observation[]): Map<string, Observation[]> {
  const groups = new Map<string, Observation[]>();
  for (const o of observations) {
    const id = stationId(o);
    const list = groups.get(id);
    if (list) list.push(o);
    else groups.set(id, [o]);
  }
  return groups;
}
