import { VaneError } from '@vane/core';

/**
 * Scoring options (one validated object, defaults below). Entry files build
 * the raw object from VANE_SCORER_* variables (see main.ts).
 */
export interface ScorerOptions {
  /** Event-time width of one window bucket, ms. Default 60 000 (1 min). */
  bucketMs: number;
  /** Buckets a score covers (the newest is the one holding the watermark). Default 15. */
  windowBuckets: number;
  /** Half-life of the exponential decay of older buckets, ms. Default 300 000 (5 min). */
  halfLifeMs: number;
  /** A measurement older than the partition's watermark by more than this is counted and dropped. Default 120 000. */
  allowedLatenessMs: number;
  /** Event times later than receivedAt + this are taken as receivedAt (client clock skew). Default 60 000. */
  maxClockSkewMs: number;
  /** Relative change of rtt/throughput percentiles that publishes a score at once. Default 0.05. */
  relativeThreshold: number;
  /** Absolute change of availability that publishes a score at once. Default 0.01. */
  availabilityThreshold: number;
  /** A changed score is published at the latest this long (event time, and wall clock through punctuation) after the last one. Default 10 000. */
  maxIntervalMs: number;
  /** Effective (decayed) samples at which confidence reaches 1 − 1/e. Default 50. */
  confidenceSamples: number;
  /** Relative accuracy of the DDSketch quantile sketches. Default 0.01. */
  relativeAccuracy: number;
  /** modelVersion written in every score. Default "v1". */
  modelVersion: string;
}

export const scorerDefaults: ScorerOptions = {
  bucketMs: 60_000,
  windowBuckets: 15,
  halfLifeMs: 300_000,
  allowedLatenessMs: 120_000,
  maxClockSkewMs: 60_000,
  relativeThreshold: 0.05,
  availabilityThreshold: 0.01,
  maxIntervalMs: 10_000,
  confidenceSamples: 50,
  relativeAccuracy: 0.01,
  modelVersion: 'v1',
};

function positive(raw: Record<string, unknown>, name: keyof ScorerOptions, integer = false, allowZero = false): number {
  const value = raw[name] === undefined || raw[name] === '' ? scorerDefaults[name] : Number(raw[name]);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || (integer && !Number.isInteger(value))) {
    throw new VaneError('VANE_ERR_CONFIG', `scorer option ${name} must be a ${integer ? 'positive integer' : allowZero ? 'non-negative number' : 'positive number'}, got ${String(raw[name])}`);
  }
  return value;
}

/** Validates raw options (strings from the environment or numbers), filling defaults. */
export function scorerOptions(raw: Record<string, unknown> = {}): ScorerOptions {
  const options: ScorerOptions = {
    bucketMs: positive(raw, 'bucketMs', true),
    windowBuckets: positive(raw, 'windowBuckets', true),
    halfLifeMs: positive(raw, 'halfLifeMs'),
    allowedLatenessMs: positive(raw, 'allowedLatenessMs', true, true),
    maxClockSkewMs: positive(raw, 'maxClockSkewMs', true, true),
    relativeThreshold: positive(raw, 'relativeThreshold', false, true),
    availabilityThreshold: positive(raw, 'availabilityThreshold', false, true),
    maxIntervalMs: positive(raw, 'maxIntervalMs', true),
    confidenceSamples: positive(raw, 'confidenceSamples'),
    relativeAccuracy: positive(raw, 'relativeAccuracy'),
    modelVersion: typeof raw.modelVersion === 'string' && raw.modelVersion !== '' ? raw.modelVersion : scorerDefaults.modelVersion,
  };
  if (options.relativeAccuracy >= 1) throw new VaneError('VANE_ERR_CONFIG', 'scorer option relativeAccuracy must be below 1');
  if (options.allowedLatenessMs >= options.bucketMs * options.windowBuckets) {
    throw new VaneError('VANE_ERR_CONFIG', `scorer option allowedLatenessMs (${options.allowedLatenessMs}) must be shorter than the window (${options.bucketMs * options.windowBuckets} ms)`);
  }
  return options;
}

/** Raw options from VANE_SCORER_* variables (entry files only). */
export function scorerOptionsFromEnv(env: Record<string, string | undefined>): Record<string, unknown> {
  const names: Record<keyof ScorerOptions, string> = {
    bucketMs: 'VANE_SCORER_BUCKET_MS',
    windowBuckets: 'VANE_SCORER_WINDOW_BUCKETS',
    halfLifeMs: 'VANE_SCORER_HALF_LIFE_MS',
    allowedLatenessMs: 'VANE_SCORER_ALLOWED_LATENESS_MS',
    maxClockSkewMs: 'VANE_SCORER_MAX_CLOCK_SKEW_MS',
    relativeThreshold: 'VANE_SCORER_RELATIVE_THRESHOLD',
    availabilityThreshold: 'VANE_SCORER_AVAILABILITY_THRESHOLD',
    maxIntervalMs: 'VANE_SCORER_MAX_INTERVAL_MS',
    confidenceSamples: 'VANE_SCORER_CONFIDENCE_SAMPLES',
    relativeAccuracy: 'VANE_SCORER_RELATIVE_ACCURACY',
    modelVersion: 'VANE_SCORER_MODEL_VERSION',
  };
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(names)) if (env[name] !== undefined) raw[key] = env[name];
  return raw;
}
