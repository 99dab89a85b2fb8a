import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ScoreTable } from './score-table';

const gzipAsync = promisify(gzip);

/**
 * Wire form of GET /v1/snapshots/scores: {version, partitions, count, scores: Score[]}
 * (JSON, UTF-8), served gzip-compressed when the client accepts it.
 */
export interface SnapshotBody {
  version: string;
  json: Buffer;
  gzip: Buffer;
}

/**
 * One snapshot build per table version: concurrent requests that miss the
 * cache share the build in progress (request collapsing), later ones get
 * the finished body until the table changes.
 */
export class SnapshotCache {
  builds = 0;
  private current?: { version: string; body: Promise<SnapshotBody> };

  constructor(private readonly table: ScoreTable) {}

  get(): Promise<SnapshotBody> {
    const version = this.table.version;
    if (this.current?.version === version) return this.current.body;
    this.builds++;
    // Serialized synchronously, so the body is exactly the table at `version`.
    const json = Buffer.from(JSON.stringify({ version, partitions: this.table.partitions, count: this.table.size, scores: [...this.table.values()] }));
    const body = gzipAsync(json, { level: 6 }).then((gz) => ({ version, json, gzip: gz }));
    const entry = { version, body };
    this.current = entry;
    body.catch(() => {
      if (this.current === entry) this.current = undefined;
    });
    return body;
  }
}
