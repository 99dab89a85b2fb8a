import type { Score } from '@vane/schemas';
import { VaneError } from '@vane/core';
import { formatVersion, isAfter, type Version } from './version';

/** One change of the score table: the record of scores.v1 at (partition, offset); score null = deleted. */
export interface ScoreDelta {
  key: string;
  partition: number;
  offset: number;
  score: Score | null;
  /** The table's version right after this change (the SSE event id). */
  version: string;
}

export type DeltaListener = (delta: ScoreDelta) => void;

/**
 * The current score table of the gateway, folded from scores.v1 (latest
 * value per key), with its version and a bounded buffer of the latest
 * deltas for subscribers that resume from an older version.
 */
export class ScoreTable {
  private readonly scores = new Map<string, Score>();
  private readonly position: number[];
  /** Per partition: offsets below this were evicted from the buffer. */
  private readonly evictedBelow: number[];
  private readonly buffer: ScoreDelta[] = [];
  private head = 0;
  private readonly listeners = new Set<DeltaListener>();
  /** Bumped on every change: snapshots are cached per version. */
  changes = 0;

  constructor(
    readonly partitions: number,
    private readonly bufferSize: number,
  ) {
    this.position = new Array<number>(partitions).fill(0);
    this.evictedBelow = new Array<number>(partitions).fill(0);
  }

  get version(): string {
    return formatVersion(this.position);
  }

  get size(): number {
    return this.scores.size;
  }

  values(): IterableIterator<Score> {
    return this.scores.values();
  }

  /** Applies one record of scores.v1 (in offset order per partition). */
  apply(key: string, partition: number, offset: number, score: Score | null): void {
    if (partition >= this.partitions) throw new VaneError('VANE_ERR_INTERNAL', `scores.v1 partition ${partition} is beyond the ${this.partitions} known at start`);
    if (offset < this.position[partition]!) return;
    if (score) this.scores.set(key, score);
    else this.scores.delete(key);
    this.position[partition] = offset + 1;
    this.changes++;
    const delta: ScoreDelta = { key, partition, offset, score, version: this.version };
    if (this.buffer.length - this.head >= this.bufferSize) {
      const old = this.buffer[this.head]!;
      this.evictedBelow[old.partition] = old.offset + 1;
      this.head++;
      if (this.head > 4096 && this.head * 2 > this.buffer.length) {
        this.buffer.splice(0, this.head);
        this.head = 0;
      }
    }
    this.buffer.push(delta);
    for (const listener of this.listeners) listener(delta);
  }

  /**
   * Every buffered change after `since`, or a VANE_ERR_VERSION_GONE error
   * when some of them were evicted (or `since` is ahead of this table).
   */
  deltasSince(since: Version): ScoreDelta[] {
    for (let p = 0; p < this.partitions; p++) {
      if ((since[p] ?? 0) < this.evictedBelow[p]!) throw new VaneError('VANE_ERR_VERSION_GONE', `changes of partition ${p} after offset ${since[p]} are no longer buffered: fetch a new snapshot`);
      if ((since[p] ?? 0) > this.position[p]!) throw new VaneError('VANE_ERR_VERSION_GONE', `version is ahead of this gateway on partition ${p}: fetch a new snapshot`);
    }
    const out: ScoreDelta[] = [];
    for (let i = this.head; i < this.buffer.length; i++) {
      const d = this.buffer[i]!;
      if (isAfter(since, d.partition, d.offset)) out.push(d);
    }
    return out;
  }

  subscribe(listener: DeltaListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
