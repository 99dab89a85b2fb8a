import type { FastifyInstance } from 'fastify';
import { VaneError } from '@vane/core';
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

/** SSE event of one change: id = version after it; data = {key, partition, offset, score|null}. */
function deltaEvent(d: ScoreDelta): string {
  return `id: ${d.version}\nevent: score\ndata: ${JSON.stringify({ key: d.key, partition: d.partition, offset: d.offset, score: d.score })}\n\n`;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
}

export async function scoreRoutes(app: FastifyInstance, { source, cache, settings }: RouteOptions): Promise<void> {
  const notReady = (): VaneError => new VaneError('VANE_ERR_NOT_READY', 'the score table is still loading from scores.v1', { retryAfter: settings.retryAfterSeconds });

  app.get('/v1/snapshots/scores', async (request, reply) => {
    if (!source.isReady()) throw notReady();
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
    if (!source.isReady()) throw notReady();
    const table = source.table;
    const raw = (request.headers['last-event-id'] as string | undefined) || request.query.since;
    if (!raw) throw new VaneError('VANE_ERR_VERSION_INVALID', 'since is required: the version of the snapshot (or last delta) you hold');
    // VANE_ERR_VERSION_INVALID (400) for a malformed version, VANE_ERR_VERSION_GONE (410) for one older than the buffer.
    const backlog: ScoreDelta[] = table.deltasSince(parseVersion(raw, table.partitions));
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
