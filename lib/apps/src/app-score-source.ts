import { isTrusted, levelOf, scoreKey, scoreViewOf, type Score, type ScoreView, type TrustThreshold } from '@vane/schemas';
import type { ScoreLookup } from '@vane/score-client';
import type { AppScore } from './app-request';

/**
 * Where an app host reads the scores it hands to apps. The host depends on
 * this interface only; the running decision gateways back it with the score
 * client (SnapshotScores: bootstrap from the snapshots gateway, then live
 * deltas), tests with MemoryScores.
 */
export interface AppScoreSource {
  /**
   * The score of `provider` at the first of `locationKeys` (most specific
   * first, as locationKeysOf gives them) that has one, or undefined.
   */
  best(provider: string, locationKeys: readonly string[]): AppScore | undefined;
  /** False until the source holds a complete snapshot. */
  readonly ready: boolean;
}

/** Scores held in memory, keyed like scores.v1. */
export class MemoryScores implements AppScoreSource {
  private readonly scores = new Map<string, AppScore>();
  ready = true;
  version = 0;

  set(provider: string, score: Partial<ScoreView> & Pick<ScoreView, 'locationKey'>): this {
    this.scores.set(
      scoreKey(provider, score.locationKey),
      scoreViewOf({
        level: score.level ?? levelOf(score.locationKey),
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
    this.scores.delete(scoreKey(provider, locationKey));
    this.version++;
  }

  best(provider: string, locationKeys: readonly string[]): AppScore | undefined {
    for (const key of locationKeys) {
      const score = this.scores.get(scoreKey(provider, key));
      if (score) return score;
    }
    return undefined;
  }
}

/**
 * Scores from the score client (`createScoreClient` of @vane/score-client:
 * bootstrap from the snapshot, then live deltas): the first location key
 * with a score trusted enough wins, as the client's own best match does.
 */
export class SnapshotScores implements AppScoreSource {
  private readonly converted = new WeakMap<Score, AppScore>();
  ready = false;

  constructor(
    private readonly client: ScoreLookup,
    private readonly trust: TrustThreshold = {},
  ) {}

  best(provider: string, locationKeys: readonly string[]): AppScore | undefined {
    for (const key of locationKeys) {
      const score = this.client.get(provider, key);
      if (!score || !isTrusted(score, this.trust)) continue;
      let app = this.converted.get(score);
      if (!app) {
        app = scoreViewOf(score);
        this.converted.set(score, app);
      }
      return app;
    }
    return undefined;
  }
}
