import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { registerVaneErrors } from '@vane/core/http';
import type { GeoSubmission, LocateQuery } from '@vane/schemas';
import { decodeJsonBody } from './decode-body';
import { parseGeolocateRequest, type GeolocateRequest } from './geolocate-request';
import { parseCountryRequest } from './country-request';
import { parseGeosubmitRequest, toGeoSubmission } from './geosubmit-request';
import { dailyLimitExceeded, ichnaeaErrorFor, keyInvalid, notFound, serviceUnavailable, type IchnaeaErrorAnswer } from './ichnaea-errors';
import { countryResponse, geolocateResponse, submitResponse } from './responses';
import { queryRecord } from './query-record';
import type { GeoIpRecord } from './providers/geoip-provider';
import { geoipPosition } from './providers/geoip-provider';
import { internalLookupKeys, internalShouldSearch, type FoundStations, type StationLookup } from './providers/internal-provider';
import { searchPosition } from './providers/position-search';
import { searchRegion } from './providers/region';

/**
 * The location gateway as a Fastify instance, not listening. Everything it
 * talks to comes in through the options (tests pass in-memory ones):
 * GeoIP of the client address, the learned-station store, the key source
 * and the record sink (locate.queries.v1, ingest.geosubmit.v1).
 */
export type Permission = 'locate' | 'region' | 'submit' | 'fallback';

/** What the key source knows about one `?key=`. */
export interface LocateKeyInfo {
  keyId: string;
  revoked: boolean;
  /** Requests per UTC day; 0 = no limit. */
  dailyLimit: number;
  permissions: readonly Permission[];
}

export interface KeySource {
  /** The key, or null when unknown; throws when the source is unreachable. */
  get(key: string): Promise<LocateKeyInfo | null> | LocateKeyInfo | null;
}

export interface StationStore {
  /** Stations for the keys; throws when the store is unreachable. */
  find(keys: StationLookup): Promise<FoundStations>;
}

export interface LocateSink {
  query(record: LocateQuery): Promise<void>;
  submission(record: GeoSubmission): Promise<void>;
}

export interface BuildOptions {
  geoip: (ip: string) => GeoIpRecord | null;
  stations: StationStore;
  keys: KeySource;
  sink: LocateSink;
  trustedProxies?: string[];
  /** Key cache lifetime (misses too), default 60 s. */
  keyCacheMs?: number;
  now?: () => number;
}

interface Health {
  stationsDown: boolean;
  keysDown: boolean;
  sinkDown: boolean;
}

class Reject extends Error {
  constructor(readonly answer: IchnaeaErrorAnswer) {
    super(answer.body.error.message);
  }
}

const DAY_MS = 86_400_000;

export async function build(options: BuildOptions): Promise<FastifyInstance> {
  const now = options.now ?? Date.now;
  const cacheMs = options.keyCacheMs ?? 60_000;
  const cache = new Map<string, { info: LocateKeyInfo | null; until: number }>();
  const usage = new Map<string, number>();
  const health: Health = { stationsDown: false, keysDown: false, sinkDown: false };
  const trusted = options.trustedProxies ?? [];
  const app = Fastify({ logger: false, trustProxy: trusted.length > 0 ? trusted : false, bodyLimit: 1024 * 1024 });
  registerVaneErrors(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  async function keyFor(raw: unknown, permission: Permission): Promise<LocateKeyInfo> {
    if (typeof raw !== 'string' || raw.length === 0) throw new Reject(keyInvalid());
    const t = now();
    let hit = cache.get(raw);
    if (!hit || hit.until <= t) {
      try {
        hit = { info: await options.keys.get(raw), until: t + cacheMs };
        health.keysDown = false;
        cache.set(raw, hit);
      } catch {
        health.keysDown = true;
        // Key source down: keep answering with what was cached, else refuse nothing but submissions (documented default).
        if (hit) hit = { info: hit.info, until: hit.until };
        else if (permission === 'submit') throw new Reject(serviceUnavailable());
        else return { keyId: 'unverified', revoked: false, dailyLimit: 0, permissions: ['locate', 'region', 'fallback'] };
      }
    }
    const info = hit.info;
    if (!info || info.revoked || !info.permissions.includes(permission)) throw new Reject(keyInvalid());
    const day = `${info.keyId}|${Math.floor(t / DAY_MS)}`;
    const used = (usage.get(day) ?? 0) + 1;
    if (info.dailyLimit > 0 && used > info.dailyLimit) throw new Reject(dailyLimitExceeded());
    usage.set(day, used);
    return info;
  }

  function send(reply: FastifyReply, answer: IchnaeaErrorAnswer): FastifyReply {
    return reply.code(answer.status).send(answer.body);
  }

  async function stationsFor(request: GeolocateRequest): Promise<FoundStations | undefined> {
    try {
      const found = await options.stations.find(internalLookupKeys(request));
      health.stationsDown = false;
      return found;
    } catch {
      health.stationsDown = true;
      return undefined;
    }
  }

  function record(q: LocateQuery): void {
    options.sink.query(q).then(() => { health.sinkDown = false; }, () => { health.sinkDown = true; });
  }

  function allowFallback(request: GeolocateRequest, key: LocateKeyInfo): GeolocateRequest {
    if (key.permissions.includes('fallback')) return request;
    return { ...request, fallbacks: { ...request.fallbacks, lacf: false } };
  }

  app.post('/v1/geolocate', async (req, reply) => {
    try {
      const key = await keyFor((req.query as Record<string, unknown>).key, 'locate');
      const request = allowFallback(parseGeolocateRequest(decodeJsonBody(String(req.body ?? ''))), key);
      const geoip = options.geoip(req.ip);
      const first = geoipPosition(request, geoip);
      const stations = internalShouldSearch(request, first, geoip !== null) ? await stationsFor(request) : undefined;
      const outcome = searchPosition(request, { geoip, stations, hasIp: geoip !== null }, now());
      record(queryRecord(request, { kind: 'locate', answer: outcome.answer, source: outcome.source }, { queryId: randomUUID(), at: now(), apiKeyId: key.keyId }));
      return outcome.answer ? reply.send(geolocateResponse(outcome.answer)) : send(reply, notFound());
    } catch (error) {
      return send(reply, error instanceof Reject ? error.answer : ichnaeaErrorFor(error));
    }
  });

  app.post('/v1/country', async (req, reply) => {
    try {
      const key = await keyFor((req.query as Record<string, unknown>).key, 'region');
      const request = parseCountryRequest(decodeJsonBody(String(req.body ?? '')));
      const geoip = options.geoip(req.ip);
      const needStations = request.cells.length > 0 || request.wifi.length > 1 || request.bluetooth.length > 1;
      const stations = needStations ? await stationsFor(request) : undefined;
      const answer = searchRegion(request, { geoip, stations }, now());
      record(queryRecord(request, { kind: 'region', answer, source: answer?.fallback ? 'geoip' : 'internal' }, { queryId: randomUUID(), at: now(), apiKeyId: key.keyId }));
      return answer ? reply.send(countryResponse(answer)) : send(reply, notFound());
    } catch (error) {
      return send(reply, error instanceof Reject ? error.answer : ichnaeaErrorFor(error));
    }
  });

  const submit = async (req: { query: unknown; body: unknown }, reply: FastifyReply) => {
    try {
      const key = await keyFor((req.query as Record<string, unknown>).key, 'submit');
      const receivedAt = now();
      const batch = parseGeosubmitRequest(decodeJsonBody(String(req.body ?? '')), receivedAt);
      try {
        for (const item of batch.items) {
          await options.sink.submission(toGeoSubmission(item, { observationId: randomUUID(), receivedAt, apiKeyId: key.keyId }));
        }
        health.sinkDown = false;
      } catch {
        health.sinkDown = true;
        return send(reply, serviceUnavailable());
      }
      return reply.send(submitResponse());
    } catch (error) {
      return send(reply, error instanceof Reject ? error.answer : ichnaeaErrorFor(error));
    }
  };
  app.post('/v2/geosubmit', submit);
  app.post('/v1/geosubmit', submit);

  app.get('/healthz', async (_req, reply) => {
    const degraded = [
      ...(health.stationsDown ? ['stations'] : []),
      ...(health.keysDown ? ['keys'] : []),
      ...(health.sinkDown ? ['kafka'] : []),
    ];
    return reply.header('cache-control', 'no-store').send({ status: degraded.length ? 'degraded' : 'ok', degraded, keysCached: cache.size });
  });
  return app;
}
