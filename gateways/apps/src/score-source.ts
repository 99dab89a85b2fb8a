import type { Score } from '@vane/schemas';
import type { AppScore } from './app-request';

/**
 * Where the decision gateways read scores. The gateways depend on this
 * interface only; the running gateways back it with the snapshot client of
 * gateways/snapshots (bootstrap + deltas, see snapshot-scores.ts), tests with
 * MemoryScores.
 */
export interface ScoreSource {
  /**
   * The score of `provider` at the first of `locationKeys` (most specific
   * first, as locationKeysOf gives them) that has one, or undefined.
   */
  best(provider: string, locationKeys: readonly string[]): AppScore | undefined;
  /** False until the source holds a complete snapshot. */
  readonly ready: boolean;
}

/** The fields of a scores.v1 record an app sees. */
export type ScoreFields = Pick<Score, 'level' | 'locationKey' | 'rttP50' | 'rttP90' | 'availability' | 'throughputP50' | 'samples' | 'confidence' | 'computedAt'>;

export function appScoreOf(score: ScoreFields): AppScore {
  return {
    level: score.level,
    locationKey: score.locationKey,
    rttP50: score.rttP50,
    rttP90: score.rttP90,
    availability: score.availability,
    throughputP50: score.throughputP50,
    samples: Number(score.samples),
    confidence: score.confidence,
    computedAt: Number(score.computedAt),
  };
}

/** Scores held in memory, keyed like scores.v1 ("<provider>|<locationKey>"). */
export class MemoryScores implements ScoreSource {
  private readonly scores = new Map<string, AppScore>();
  ready = true;
  version = 0;

  set(provider: string, score: Partial<ScoreFields> & Pick<ScoreFields, 'locationKey'>): this {
    const level = score.level ?? score.locationKey.split(':')[0]!;
    this.scores.set(
      `${provider}|${score.locationKey}`,
      appScoreOf({
        level,
        locationKey: score.locationKey,
        rttP50: score.rttP50 ?? null,
        rttP90: score.rttP90 ?? null,
        availability: score.availability ?? null,
        throughputP50: score.throughputP50 ?? null,
        samples: score.samples ?? 100,
        confidence: score.confidence ?? 1,
        computedAt: score.computedAt ?? 0,
      }),
    );
    this.version++;
    return this;
  }

  delete(provider: string, locationKey: string): void {
    this.scores.delete(`${provider}|${locationKey}`);
    this.version++;
  }

  best(provider: string, locationKeys: readonly string[]): AppScore | undefined {
    for (const key of locationKeys) {
      const score = this.scores.get(`${provider}|${key}`);
      if (score) return score;
    }
    return undefined;
  }
}

/** What SnapshotScores needs of the snapshot client (@vane/snapshots/client ScoreClient). */
export interface ScoreTable {
  get(provider: string, locationKey: string): Score | undefined;
}

/**
 * Scores from the snapshot client of gateways/snapshots (`createScoreClient`:
 * bootstrap from the snapshot, then live deltas): the first location key
 * with a score trusted enough wins, as the client's own best-match does.
 */
export class SnapshotScores implements ScoreSource {
  private readonly converted = new WeakMap<Score, AppScore>();
  ready = false;

  constructor(
    private readonly client: ScoreTable,
    private readonly options: { minConfidence?: number; minSamples?: number } = {},
  ) {}

  best(provider: string, locationKeys: readonly string[]): AppScore | undefined {
    const minConfidence = this.options.minConfidence ?? 0;
    const minSamples = this.options.minSamples ?? 1;
    for (const key of locationKeys) {
      const score = this.client.get(provider, key);
      if (!score || score.confidence < minConfidence || Number(score.samples) < minSamples) continue;
      let app = this.converted.get(score);
      if (!app) {
        app = appScoreOf(score);
        this.converted.set(score, app);
      }
      return app;
    }
    return undefined;
  }
}

/**
 * Starts a snapshot client, retrying while the snapshots gateway is not up
 * yet (components start in any order), for at most `timeoutMs`.
 */
export async function startScoreClient(client: { start(): Promise<void> }, log: (line: string) => void, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.start();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      if (attempt === 1 || attempt % 10 === 0) log(`waiting for the score snapshot (${(error as Error).message})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
