// The configuration both decision benchmarks run: tenant "bench", four
// providers, app bench.video (zone bench-cdn.example) published with the
// realistic app — the best rtt among providers above an availability
// floor — and country-level scores for the client subnet the load comes
// from. Built as the config.changes.v1 records the config service writes,
// applied to the state the gateways read (ConfigView.state in production).
import { createHash } from 'node:crypto';
import { MemoryScores } from '@vane/apps';
import { ConfigState, appEntityId, appVersionEntityId, configChange, tenantEntityId, type AppPayload, type AppVersionPayload } from '@vane/config-model';

export const ZONE = 'bench-cdn.example';
export const APP_ID = 'bench.video';
/** The EDNS Client Subnet / client address of the load: Germany, AS3320. */
export const CLIENT_SUBNET = '62.155.1.0/24';
export const CLIENT_IP = '62.155.1.77';

export const appSource = `
var floor;
function init(config) { floor = config.settings.availabilityFloor; }
function onRequest(request, response) {
  var best = null;
  for (var i = 0; i < request.providers.length; i++) {
    var id = request.providers[i].id;
    var s = request.scores[id];
    if (!s || s.availability === null || s.rttP50 === null || s.availability < floor) continue;
    if (best === null || s.rttP50 < request.scores[best].rttP50) best = id;
  }
  if (best === null) { response.respond('origin'); response.setReasonCode('no_scores'); return; }
  response.respond(best);
  response.setTTL(30);
  response.setReasonCode('best_rtt');
}`;

type Put = (entityId: string, entityType: string, payload: object) => void;

function putter(state: ConfigState): Put {
  return (entityId, entityType, payload) => {
    state.apply(configChange({ entityId, entityType, tenantId: 'bench', version: 1, op: 'upsert', actor: 'bench', payload }));
  };
}

/** Version 1 of an app of tenant "bench", published, over the four providers. */
function putApp(put: Put, appId: string, source: string, hostnames: string[]): void {
  const version: AppVersionPayload = {
    appId,
    tenantId: 'bench',
    version: 1,
    source,
    providers: [{ id: 'cdn-a' }, { id: 'cdn-b' }, { id: 'cdn-c' }, { id: 'origin' }],
    fallback: { provider: 'origin', ttl: 20 },
    ttl: 60,
    settings: { availabilityFloor: 0.8 },
    data: [],
    tests: [],
    sourceSha256: createHash('sha256').update(source).digest('hex'),
    createdAt: 1,
    createdBy: 'bench',
  };
  put(appVersionEntityId(appId, 1), 'app_version', version);
  const app: AppPayload = { appId, tenantId: 'bench', name: appId.split('.')[1]!, zone: ZONE, hostnames, latestVersion: 1, publishedVersion: 1, history: [], createdAt: 1 };
  put(appEntityId(appId), 'app', app);
}

export function benchConfig(): ConfigState {
  const state = new ConfigState();
  const put = putter(state);
  put(tenantEntityId('bench'), 'tenant', { tenantId: 'bench', createdAt: 1 });
  for (const [id, cname] of [['cdn-a', 'bench.cdn-a.net'], ['cdn-b', 'bench.cdn-b.net'], ['cdn-c', 'bench.cdn-c.net'], ['origin', 'origin.bench.example']]) {
    put(id!, 'provider', { providerId: id, cname, url: `https://${cname}`, probes: [] });
  }
  putApp(put, APP_ID, appSource, [`www.${ZONE}`, `video.${ZONE}`, `*.img.${ZONE}`]);
  return state;
}

/** A second app whose onRequest never returns (it gets its fallback at its time limit): the hostile neighbour of the latency phases. */
export const HOSTILE_APP_ID = 'bench.hostile';
export const HOSTILE_HOSTNAME = `loop.${ZONE}`;

export function withHostileApp(state: ConfigState): ConfigState {
  putApp(putter(state), HOSTILE_APP_ID, 'function onRequest() { while (true) {} }', [HOSTILE_HOSTNAME]);
  return state;
}

/** Scores as the score client holds them (a map lookup per provider and location key). */
export function benchScores(): MemoryScores {
  return new MemoryScores()
    .set('cdn-a', { locationKey: 'country:DE', rttP50: 31, rttP90: 70, availability: 0.99 })
    .set('cdn-b', { locationKey: 'country:DE', rttP50: 24, rttP90: 55, availability: 0.97 })
    .set('cdn-c', { locationKey: 'country:DE', rttP50: 18, rttP90: 40, availability: 0.62 })
    .set('cdn-a', { locationKey: 'global', rttP50: 60, availability: 0.99 })
    .set('cdn-b', { locationKey: 'global', rttP50: 70, availability: 0.99 })
    .set('origin', { locationKey: 'global', rttP50: 120, availability: 1 });
}
