import type { FastifyInstance, FastifyReply } from 'fastify';
import { isVaneError } from '@vane/infra';
import type { ScoreTableSource } from '../app';
import type { SnapshotSettings } from '../options';
import type { ScoreDelta } from '../score-table';
import type { SnapshotCache } from '../snapshot-cache';
import { parseVersion } from '../version';

interface RouteOptions {
  source: ScoreTableSource;
  cache: SnapshotCache;
  settings: SnapshotSettings;
}

/** A subscriber that buffers this much unsent output is dropped (it resumes from its version). */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ code, message });
}

/** SSE event of one change: id = version after it; data = {key, partition, offset, score|null}. */
export function deltaEvent(d: ScoreDelta): string {
  return `id: ${d.version}\nevent: score\ndata: ${JSON.stringify({ key: d.key, partition: d.partition, offset: d.offset, score: d.score })}\n\n`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
}

export async function scoreRoutes(app: FastifyInstance, { source, cache, settings }: RouteOptions): Promise<void> {
  const notReady = (reply: FastifyReply): FastifyReply =>
    fail(reply.header('retry-after', String(settings.retryAfterSeconds)), 503, 'VANE_ERR_NOT_READY', 'the score table is still loading from scores.v1');

  app.get('/v1/snapshots/scores', async (request, reply) => {
    if (!source.isReady()) return notReady(reply);
    const current = `"${source.table.version}"`;
    if (etagMatches(request.headers['if-none-match'], current)) {
      return reply.code(304).header('etag', current).header('cache-control', 'no-cache').send();
    }
    const body = await cache.get();
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('etag', `"${body.version}"`)
      .header('vane-version', body.version)
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-encoding');
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(body.gzip);
    return reply.send(body.json);
  });

  app.get<{ Querystring: { since?: string } }>('/v1/snapshots/scores/deltas', async (request, reply) => {
    if (!source.isReady()) return notReady(reply);
    const table = source.table;
    const raw = (request.headers['last-event-id'] as string | undefined) || request.query.since;
    if (!raw) return fail(reply, 400, 'VANE_ERR_VERSION_INVALID', 'since is required: the version of the snapshot (or last delta) you hold');
    let backlog: ScoreDelta[];
    try {
      backlog = table.deltasSince(parseVersion(raw, table.partitions));
    } catch (error) {
      if (isVaneError(error) && error.code === 'VANE_ERR_VERSION_GONE') return fail(reply, 410, error.code, error.message);
      if (isVaneError(error)) return fail(reply, 400, error.code, error.message);
      throw error;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'vane-version': table.version,
    });
    res.write(`retry: 1000\n: since ${raw}\n\n`);
    let closed = false;
    const send = (d: ScoreDelta): void => {
      if (closed) return;
      if (res.writableLength > MAX_PENDING_BYTES) {
        closed = true;
        res.destroy();
        return;
      }
      res.write(deltaEvent(d));
    };
    // No await between reading the backlog and subscribing: no change can fall in between.
    for (const d of backlog) send(d);
    const unsubscribe = table.subscribe(send);
    const heartbeat = setInterval(() => {
      if (!closed) res.write(': heartbeat\n\n');
    }, settings.heartbeatMs);
    const close = (): void => {
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
    };
    res.once('close', close);
    request.raw.once('close', close);
  });
}
