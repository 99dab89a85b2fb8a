import { VaneError } from '@vane/core';

/**
 * The ingest gateway's settings: one validated object with defaults. Only
 * the entry (main.ts → server.ts `serverOptionsFromEnv`) reads the environment.
 */
export interface IngestSettings {
  /** VANE_INGEST_HOST, default 127.0.0.1 (set 0.0.0.0 behind a load balancer). */
  host: string;
  /** VANE_INGEST_PORT, default 7070. */
  port: number;
  /** VANE_INGEST_TRUSTED_PROXIES: addresses/CIDRs whose X-Forwarded-For is honoured; default none. */
  trustedProxies: string[];
  /** VANE_INGEST_SECRET: keys the visitor-id salts and session tokens (≥ 16 characters). */
  secret: string;
  /** VANE_INGEST_BODY_LIMIT_BYTES: most bytes of a JSON body, default 65536. */
  bodyLimitBytes: number;
  /** VANE_INGEST_LOG_MAX_BYTES: most (decompressed) bytes of one log upload, default 2 GiB. */
  logMaxBytes: number;
  /** VANE_INGEST_LOG_MAX_LINE_BYTES: longer log lines are rejected, default 16384. */
  logMaxLineBytes: number;
  /** VANE_INGEST_MAX_EVENTS: most events/measurements in one request, default 100. */
  maxEventsPerRequest: number;
  /** VANE_INGEST_RATE_LIMIT_PER_MINUTE: requests per key per minute unless the key says otherwise, default 6000. */
  rateLimitPerMinute: number;
  /** VANE_INGEST_DAILY_LIMIT: requests per key per UTC day unless the key says otherwise; 0 = none (default). */
  dailyLimit: number;
  /** VANE_INGEST_SESSION_TTL_SECONDS: lifetime of a measurement-plan token, default 900. */
  sessionTtlSeconds: number;
  /** VANE_INGEST_RETRY_AFTER_SECONDS: Retry-After of a 503 (spool full, not ready), default 5. */
  retryAfterSeconds: number;
}

export const defaultSettings: Omit<IngestSettings, 'secret'> = {
  host: '127.0.0.1',
  port: 7070,
  trustedProxies: [],
  bodyLimitBytes: 64 * 1024,
  logMaxBytes: 2 * 1024 * 1024 * 1024,
  logMaxLineBytes: 16 * 1024,
  maxEventsPerRequest: 100,
  rateLimitPerMinute: 6000,
  dailyLimit: 0,
  sessionTtlSeconds: 900,
  retryAfterSeconds: 5,
};

export function resolveSettings(partial: Partial<IngestSettings> & { secret: string }): IngestSettings {
  const settings: IngestSettings = { ...defaultSettings, ...partial };
  const positive: (keyof IngestSettings)[] = ['bodyLimitBytes', 'logMaxBytes', 'logMaxLineBytes', 'maxEventsPerRequest', 'rateLimitPerMinute', 'sessionTtlSeconds', 'retryAfterSeconds'];
  for (const name of positive) {
    const value = settings[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw new VaneError('VANE_ERR_CONFIG', `ingest setting ${name} must be a positive integer, got ${String(value)}`);
  }
  if (!Number.isInteger(settings.dailyLimit) || settings.dailyLimit < 0) throw new VaneError('VANE_ERR_CONFIG', `ingest setting dailyLimit must be 0 or more, got ${settings.dailyLimit}`);
  if (settings.secret.length < 16) throw new VaneError('VANE_ERR_CONFIG', 'ingest secret must have at least 16 characters');
  return settings;
}
