import Fastify, { type FastifyInstance } from 'fastify';
import { registerVaneErrors } from '@vane/core/http';
import { defaultSettings, type SnapshotSettings } from './options';
import { scoreRoutes } from './routes/scores';
import { SnapshotCache } from './snapshot-cache';
import type { ScoreTable } from './score-table';

export { ScoreTable } from './score-table';

/** Where the gateway's score table comes from (ScoreFeed in production, a bare table in tests). */
export interface ScoreTableSource {
  readonly table: ScoreTable;
  isReady(): boolean;
}

export interface BuildOptions {
  source: ScoreTableSource;
  settings?: Partial<SnapshotSettings>;
  logLevel?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The snapshot cache (its `builds` counter shows request collapsing). */
    snapshots: SnapshotCache;
  }
}

export type SnapshotsApp = FastifyInstance;

/**
 * The snapshots gateway (no I/O of its own; server.ts listens):
 * - GET /v1/snapshots/scores: the full current score table, gzip when
 *   accepted, versioned (ETag = the scores.v1 offsets it reflects, 304 on
 *   If-None-Match); concurrent misses share one build.
 * - GET /v1/snapshots/scores/deltas?since=<version>: Server-Sent Events,
 *   every change after `since` then live ones; each event's id is the
 *   version after it, so an EventSource resumes with Last-Event-ID. 410 when
 *   `since` is too old (fetch a new snapshot).
 * - GET /healthz.
 * Refusals are @vane/core/http error answers (503 VANE_ERR_NOT_READY with
 * Retry-After while loading, 400 VANE_ERR_VERSION_INVALID, 410 VANE_ERR_VERSION_GONE).
 */
export function build(options: BuildOptions): SnapshotsApp {
  const settings: SnapshotSettings = { ...defaultSettings, ...options.settings };
  const app = Fastify({ logger: options.logLevel && options.logLevel !== 'silent' ? { level: options.logLevel } : false });
  registerVaneErrors(app);
  const cache = new SnapshotCache(options.source.table);
  app.decorate('snapshots', cache);
  void app.register(scoreRoutes, { source: options.source, cache, settings });
  app.get('/healthz', async () => ({
    status: 'ok',
    ready: options.source.isReady(),
    version: options.source.table.version,
    scores: options.source.table.size,
  }));
  return app;
}
