import { readEnv, type Env } from '@vane/core';

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

export function settingsFromEnv(env: Env): SnapshotSettings {
  const read = readEnv(env);
  return {
    host: read.string('VANE_SNAPSHOTS_HOST', { default: defaultSettings.host }),
    port: read.port('VANE_SNAPSHOTS_PORT', { default: defaultSettings.port }),
    deltaBuffer: read.int('VANE_SNAPSHOTS_DELTA_BUFFER', { default: defaultSettings.deltaBuffer, min: 1 }),
    heartbeatMs: read.int('VANE_SNAPSHOTS_HEARTBEAT_MS', { default: defaultSettings.heartbeatMs, min: 1 }),
    retryAfterSeconds: defaultSettings.retryAfterSeconds,
  };
}
