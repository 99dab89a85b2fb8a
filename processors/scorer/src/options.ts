import { readEnv, VaneError, type Env } from '@vane/core';

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

/** Raw options from VANE_SCORER_* variables (entry files only); a value that is not a number of the right kind fails with VANE_ERR_CONFIG naming it. */
export function scorerOptionsFromEnv(env: Env): Record<string, unknown> {
  const read = readEnv(env);
  const positiveInt = { min: 1 };
  const positive = { above: 0 };
  const nonNegative = { min: 0 };
  const raw: Record<string, unknown> = {
    bucketMs: read.int('VANE_SCORER_BUCKET_MS', positiveInt),
    windowBuckets: read.int('VANE_SCORER_WINDOW_BUCKETS', positiveInt),
    halfLifeMs: read.number('VANE_SCORER_HALF_LIFE_MS', positive),
    allowedLatenessMs: read.int('VANE_SCORER_ALLOWED_LATENESS_MS', nonNegative),
    maxClockSkewMs: read.int('VANE_SCORER_MAX_CLOCK_SKEW_MS', nonNegative),
    relativeThreshold: read.number('VANE_SCORER_RELATIVE_THRESHOLD', nonNegative),
    availabilityThreshold: read.number('VANE_SCORER_AVAILABILITY_THRESHOLD', nonNegative),
    maxIntervalMs: read.int('VANE_SCORER_MAX_INTERVAL_MS', positiveInt),
    confidenceSamples: read.number('VANE_SCORER_CONFIDENCE_SAMPLES', positive),
    relativeAccuracy: read.number('VANE_SCORER_RELATIVE_ACCURACY', { above: 0, below: 1 }),
    modelVersion: read.string('VANE_SCORER_MODEL_VERSION'),
  } satisfies Record<keyof ScorerOptions, unknown>;
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  return raw;
}
