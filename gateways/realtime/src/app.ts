import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { VaneError } from '@vane/core';
import { registerVaneErrors } from '@vane/core/http';
import { buildStatsSql, parseStatsQuery, shapeStatsResponse } from './stats-query';
import { decodeClientMessage, encodeServerMessage, type ServerMessage } from './ws-protocol';
import { FanOut, channelOf, type FanOutLimits } from './fan-out';

/** A site's minute as published on models.sites.v1 (only siteId and windowStart are read here). */
export interface ModelMinute {
  siteId: string;
  windowStart: number;
  [field: string]: unknown;
}

export interface RealtimeOptions {
  /** Resolves a read key to the site id it reads, or null (unknown or revoked). */
  resolveReadKey(key: string): string | null | Promise<string | null>;
  /** Resolves a Stats API site_id (domain or id) to the stored site id, or null. */
  resolveSite?(siteId: string): string | null | Promise<string | null>;
  /** Runs one SQL statement on ClickHouse and returns its rows. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  database: string;
  tables?: { events?: string; sessions?: string };
  fanOut?: Partial<FanOutLimits>;
  /** How many recent minutes per site the initial model holds; default 60. */
  modelMinutes?: number;
  /** Whether the model consumer is caught up (for /healthz). */
  consumerReady?: () => boolean;
  now?: () => number;
  logger?: boolean | { level: string };
}

export interface RealtimeApp {
  app: FastifyInstance;
  fanOut: FanOut;
  /** Folds one models.sites.v1 record into the current model and fans it out as a delta. */
  publishModel(minute: ModelMinute): void;
  stats(): { subscribers: number; published: number; dropped: Record<string, number> };
}

function readKeyOf(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const q = (request.query as Record<string, unknown> | undefined)?.key;
  return typeof q === 'string' ? q : null;
}

export async function build(options: RealtimeOptions): Promise<RealtimeApp> {
  const now = options.now ?? Date.now;
  const app = Fastify({ logger: options.logger ?? false });
  registerVaneErrors(app);
  await app.register(websocket, { options: { maxPayload: 4096 } });
  const fanOut = new FanOut(options.fanOut);
  const keep = options.modelMinutes ?? 60;
  const models = new Map<string, Map<number, ModelMinute>>();
  const sockets = new Map<string, { send(d: string): void; close(code?: number, reason?: string): void; bufferedAmount: number }>();
  const seqs = new Map<string, number>();
  const dropped: Record<string, number> = {};
  let published = 0;
  let nextId = 0;

  const flush = (id: string): void => {
    const socket = sockets.get(id);
    if (!socket) return;
    if (socket.bufferedAmount > 256 * 1024) return;
    for (const frame of fanOut.take(id, 256 * 1024)) socket.send(frame);
  };
  const drop = (id: string, reason: 'slow_consumer' | 'queue_bytes' | 'shutdown', message: string): void => {
    const socket = sockets.get(id);
    fanOut.remove(id);
    sockets.delete(id);
    dropped[reason] = (dropped[reason] ?? 0) + 1;
    if (!socket) return;
    const msg: ServerMessage = { type: 'dropped', v: 1, reason, message };
    socket.send(encodeServerMessage(msg));
    socket.close(1008, reason);
  };
  const sweep = setInterval(() => {
    for (const d of fanOut.sweep(now())) drop(d.subscriberId, d.reason, d.message);
    for (const id of sockets.keys()) flush(id);
  }, 100);
  sweep.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    for (const id of [...sockets.keys()]) drop(id, 'shutdown', 'the gateway is stopping');
  });

  function publishModel(minute: ModelMinute): void {
    let site = models.get(minute.siteId);
    if (!site) models.set(minute.siteId, (site = new Map()));
    site.set(minute.windowStart, minute);
    const newest = Math.max(...site.keys());
    for (const w of site.keys()) if (w <= newest - keep * 60_000) site.delete(w);
    const channel = channelOf('model', minute.siteId);
    const seq = (seqs.get(channel) ?? 0) + 1;
    seqs.set(channel, seq);
    published += 1;
    for (const id of fanOut.members(channel)) {
      const frame = encodeServerMessage({ type: 'delta', v: 1, id: subscriptionOf.get(id) ?? id, siteId: minute.siteId, seq, minutes: [minute] });
      const d = fanOut.send(id, frame, now());
      if (d) drop(d.subscriberId, d.reason, d.message);
      else flush(id);
    }
  }
  const subscriptionOf = new Map<string, string>();

  app.get('/healthz', async (_req, reply) => {
    const consumer = options.consumerReady ? options.consumerReady() : true;
    const degraded: string[] = consumer ? [] : ['model consumer not caught up'];
    return reply.code(degraded.length ? 503 : 200).send({ status: degraded.length ? 'degraded' : 'ok', degraded, subscribers: sockets.size, published });
  });

  app.post('/api/v2/query', async (request, reply) => {
    const query = parseStatsQuery(request.body);
    const key = readKeyOf(request);
    const readable = key ? await options.resolveReadKey(key) : null;
    const site = (options.resolveSite ? await options.resolveSite(query.siteId) : query.siteId) ?? null;
    if (!readable || !site || readable !== site) throw new VaneError('VANE_ERR_NOT_FOUND', `no site ${JSON.stringify(query.siteId)} for this read key`);
    const plan = buildStatsSql(query, { siteId: site }, { database: options.database, now: now(), tables: options.tables });
    const rows = await options.query(plan.inlineSql);
    let total: number | undefined;
    if (plan.inlineCountSql) {
      const c = await options.query(plan.inlineCountSql);
      total = Number(Object.values(c[0] ?? {})[0] ?? 0);
    }
    return reply.send(shapeStatsResponse(query, plan, rows, total));
  });

  app.get('/ws', { websocket: true }, (socket, request) => {
    const id = `s${++nextId}`;
    sockets.set(id, socket);
    const urlKey = readKeyOf(request);
    socket.on('close', () => {
      fanOut.remove(id);
      sockets.delete(id);
    });
    socket.on('message', (data: Buffer) => {
      void (async () => {
        let msg;
        try {
          msg = decodeClientMessage(data);
        } catch (e) {
          socket.send(encodeServerMessage({ type: 'error', v: 1, id: null, code: e instanceof VaneError ? e.code : 'VANE_ERR_BAD_INPUT', message: (e as Error).message }));
          return;
        }
        if (msg.type === 'ping') return socket.send(encodeServerMessage({ type: 'pong', v: 1, nonce: msg.nonce }));
        if (msg.type === 'unsubscribe') {
          fanOut.unsubscribe(id, channelOf('model', subscriptionOf.get(id) ?? ''));
          return;
        }
        const site = await options.resolveReadKey(msg.readKey || urlKey || '');
        if (site === null || site !== msg.siteId) {
          socket.send(encodeServerMessage({ type: 'error', v: 1, id: msg.id, code: 'VANE_ERR_NOT_FOUND', message: `no site ${JSON.stringify(msg.siteId)} for this read key` }));
          return;
        }
        subscriptionOf.set(id, msg.id);
        socket.send(encodeServerMessage({ type: 'subscribed', v: 1, id: msg.id, siteId: site, streams: msg.streams }));
        if (msg.streams.includes('model')) {
          const minutes = [...(models.get(site)?.values() ?? [])].sort((a, b) => a.windowStart - b.windowStart);
          socket.send(encodeServerMessage({ type: 'model', v: 1, id: msg.id, siteId: site, seq: 0, minutes }));
          fanOut.subscribe(id, channelOf('model', site));
        }
      })().catch((e: unknown) => app.log.warn(e));
    });
  });

  return { app, fanOut, publishModel, stats: () => ({ subscribers: sockets.size, published, dropped: { ...dropped } }) };
}
