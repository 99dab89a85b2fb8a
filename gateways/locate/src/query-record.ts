import type { LocateQuery } from '@vane/schemas';
import type { GeolocateRequest } from './geolocate-request';
import type { PositionAnswer, RegionAnswer } from './responses';

/**
 * The `locate.queries.v1` record of one answered query: the usable
 * networks it named (opted-out WiFi never appears), the counts as sent, and
 * the answer. The learner uses queries answered from learned stations to
 * confirm and place stations.
 */
export function queryRecord(
  request: GeolocateRequest,
  outcome: { kind: 'locate'; answer: PositionAnswer | null; source: string } | { kind: 'region'; answer: RegionAnswer | null; source: string },
  ids: { queryId: string; at: number; apiKeyId: string },
): LocateQuery {
  const answer = outcome.kind === 'locate' && outcome.answer !== null
    ? { latitude: outcome.answer.lat, longitude: outcome.answer.lon, accuracy: outcome.answer.accuracy }
    : null;
  return {
    queryId: ids.queryId,
    at: ids.at,
    apiKeyId: ids.apiKeyId,
    kind: outcome.kind,
    considerIp: request.fallbacks.ipf,
    wifiCount: request.sent.wifi,
    cellCount: request.sent.cells,
    bluetoothCount: request.sent.bluetooth,
    wifi: request.wifi.map((w) => ({ mac: w.mac, ssid: w.ssid, signal: w.signal, channel: w.channel, age: w.age })),
    cells: request.cells.map((c) => ({ radio: c.radio, mcc: c.mcc, mnc: c.mnc, lac: c.lac, cid: c.cid, signal: c.signal })),
    bluetooth: request.bluetooth.map((b) => ({ mac: b.mac, signal: b.signal })),
    answer,
    source: outcome.answer === null ? 'none' : outcome.source,
    region: outcome.kind === 'region' ? (outcome.answer?.code ?? null) : null,
  };
}
