import { portFromEnv } from '@vane/core';

/** The snapshots gateway's settings: one validated object with defaults (only server.ts reads the environment). */
export interface SnapshotSettings {
  /** VANE_SNAPSHOTS_HOST, default 127.0.0.1. */
  host: string;
  /** VANE_SNAPSHOTS_PORT, default 7075. */
  port: number;
  /** VANE_SNAPSHOTS_DELTA_BUFFER: changes kept for subscribers resuming from an older version, default 100000. */
  deltaBuffer: number;
  /** VANE_SNAPSHOTS_HEARTBEAT_MS: SSE comment sent to idle subscribers, default 15000. */
  heartbeatMs: number;
  /** Retry-After (seconds) of a 503 while the score table is still loading. */
  retryAfterSeconds: number;
}

export const defaultSettings: SnapshotSettings = {
  host: '127.0.0.1',
  port: 7075,
  deltaBuffer: 100_000,
  heartbeatMs: 15_000,
  retryAfterSeconds: 2,
};

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}=${raw} is not a positive integer`);
  return n;
}

export function settingsFromEnv(env: Record<string, string | undefined>): SnapshotSettings {
  return {
    host: env.VANE_SNAPSHOTS_HOST || defaultSettings.host,
    port: portFromEnv(env, 'VANE_SNAPSHOTS_PORT', defaultSettings.port),
    deltaBuffer: positiveInt(env, 'VANE_SNAPSHOTS_DELTA_BUFFER', defaultSettings.deltaBuffer),
    heartbeatMs: positiveInt(env, 'VANE_SNAPSHOTS_HEARTBEAT_MS', defaultSettings.heartbeatMs),
    retryAfterSeconds: defaultSettings.retryAfterSeconds,
  };
}
