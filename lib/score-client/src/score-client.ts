import { EventEmitter } from 'node:events';
import { scoreKey, type ClientLocation, type Score, type TrustThreshold } from '@vane/schemas';
import { bestMatch, type ScoreLookup } from './best-match';
import { SseParser } from './sse-parser';

export interface ScoreClientOptions {
  /** Base URL of a snapshots gateway, e.g. http://127.0.0.1:7075. */
  url: string;
  /** First reconnect delay (doubles up to maxReconnectDelayMs), default 500. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

export interface ScoreClientEvents {
  /** A score was added or replaced (previous undefined when new). */
  change: [score: Score, previous: Score | undefined];
  /** A score was deleted (tombstone in scores.v1). */
  delete: [key: string, previous: Score | undefined];
  /** The client (re)loaded a full snapshot (at start, or after its version became too old). */
  snapshot: [version: string, size: number];
  /** Connection problems; the client keeps retrying. */
  error: [error: Error];
}

interface DeltaData {
  key: string;
  partition: number;
  offset: number;
  score: Score | null;
}

/**
 * The embeddable score client (for DNS/HTTP resolvers): bootstraps from the
 * snapshot, then follows the deltas; after a disconnect it resumes from the
 * version it holds (no gap, no double application: a change is applied only
 * if its offset is not yet reflected), and reloads the snapshot when the
 * gateway answers 410 (version too old).
 *
 *   const scores = createScoreClient({ url: 'http://127.0.0.1:7075' });
 *   await scores.start();
 *   scores.get('cdn-a', 'country:DE');
 *   scores.best('cdn-a', { country: 'DE', continent: 'EU', asn: 3320 }, { minConfidence: 0.5 });
 *   scores.on('change', (score) => …);
 */
export class ScoreClient extends EventEmitter<ScoreClientEvents> implements ScoreLookup {
  private readonly table = new Map<string, Score>();
  private position: number[] = [];
  private stopped = false;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private readonly fetchImpl: typeof fetch;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ScoreClientOptions) {
    super();
    this.fetchImpl = options.fetch ?? fetch;
    this.log = options.log ?? (() => undefined);
  }

  /** The scores.v1 position this client reflects (same form as the gateway's versions). */
  get version(): string {
    return this.position.join('.');
  }

  get size(): number {
    return this.table.size;
  }

  get(provider: string, locationKey: string): Score | undefined {
    return this.table.get(scoreKey(provider, locationKey));
  }

  /** The most specific trusted score for a client location (asn → country → continent → global). */
  best(provider: string, where: ClientLocation, trust?: TrustThreshold): Score | undefined {
    return bestMatch((p, k) => this.get(p, k), provider, where, trust);
  }

  scores(): IterableIterator<Score> {
    return this.table.values();
  }

  /** Loads the snapshot, opens the delta stream, and resolves once both are done (rejects if the first snapshot fails). */
  async start(): Promise<void> {
    await this.loadSnapshot();
    let opened: () => void = () => undefined;
    const open = new Promise<void>((resolve) => (opened = resolve));
    this.loop = this.follow(opened);
    await open;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop?.catch(() => undefined);
  }

  private async loadSnapshot(): Promise<void> {
    const res = await this.fetchImpl(`${this.options.url}/v1/snapshots/scores`, { headers: { 'accept-encoding': 'gzip' } });
    if (!res.ok) throw new Error(`snapshot: HTTP ${res.status} ${await res.text().catch(() => '')}`);
    const body = (await res.json()) as { version: string; scores: Score[] };
    const next = new Map(body.scores.map((s) => [scoreKey(s.provider, s.locationKey), s]));
    for (const [key, previous] of this.table) if (!next.has(key)) this.emit('delete', key, previous);
    for (const [key, score] of next) {
      const previous = this.table.get(key);
      if (!previous || JSON.stringify(previous) !== JSON.stringify(score)) this.emit('change', score, previous);
    }
    this.table.clear();
    for (const [k, v] of next) this.table.set(k, v);
    this.position = body.version.split('.').map(Number);
    this.emit('snapshot', body.version, this.table.size);
  }

  private apply(d: DeltaData): void {
    if (d.offset < (this.position[d.partition] ?? 0)) return;
    while (this.position.length <= d.partition) this.position.push(0);
    this.position[d.partition] = d.offset + 1;
    const previous = this.table.get(d.key);
    if (d.score) {
      this.table.set(d.key, d.score);
      this.emit('change', d.score, previous);
    } else {
      this.table.delete(d.key);
      this.emit('delete', d.key, previous);
    }
  }

  private async follow(opened: () => void): Promise<void> {
    let delay = this.options.reconnectDelayMs ?? 500;
    const maxDelay = this.options.maxReconnectDelayMs ?? 30_000;
    while (!this.stopped) {
      try {
        this.abort = new AbortController();
        const res = await this.fetchImpl(`${this.options.url}/v1/snapshots/scores/deltas?since=${this.version}`, { signal: this.abort.signal, headers: { accept: 'text/event-stream' } });
        if (res.status === 410) {
          this.log(`score client: version ${this.version} is gone, reloading the snapshot`);
          await this.loadSnapshot();
          continue;
        }
        if (!res.ok || !res.body) throw new Error(`deltas: HTTP ${res.status}`);
        opened();
        delay = this.options.reconnectDelayMs ?? 500;
        const parser = new SseParser();
        const decoder = new TextDecoder();
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const event of parser.push(decoder.decode(value, { stream: true }))) {
            if (event.event === 'score') this.apply(JSON.parse(event.data) as DeltaData);
          }
        }
        if (!this.stopped) throw new Error('deltas: stream ended');
      } catch (error) {
        if (this.stopped) return;
        opened();
        if (this.listenerCount('error') > 0) this.emit('error', error as Error);
        this.log(`score client: ${(error as Error).message}; reconnecting in ${delay} ms from version ${this.version}`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(maxDelay, delay * 2);
      }
    }
  }
}

export function createScoreClient(options: ScoreClientOptions): ScoreClient {
  return new ScoreClient(options);
}
