import { readEnv, VaneError, type Env } from '@vane/core';

/**
 * Limits of the isolates routing apps run in. One validated object with
 * defaults; the gateways' entry files read it from the environment
 * (`sandboxLimitsFromEnv`, the only place here that sees env).
 */
export interface SandboxLimits {
  /** VANE_APP_MEMORY_MB: heap limit of one app's isolate, MB (isolated-vm minimum 8), default 32. */
  memoryMb: number;
  /** VANE_APP_TIMEOUT_MS: CPU time one onRequest() may take, default 50. */
  timeoutMs: number;
  /** VANE_APP_INIT_TIMEOUT_MS: time the app's top level and init() may take when it loads, default 1000. */
  initTimeoutMs: number;
  /** VANE_APP_MAX_PENDING: requests that may wait for one app's isolate before it answers "app_busy", default 256. */
  maxPending: number;
  /** VANE_APP_MAX_FAILURES: consecutive timeouts/memory failures before the app is quarantined, default 3. */
  maxFailures: number;
  /** VANE_APP_QUARANTINE_MS: first quarantine (doubling on each relapse), default 1000. */
  quarantineMs: number;
  /** VANE_APP_MAX_QUARANTINE_MS: longest quarantine, default 60000. */
  maxQuarantineMs: number;
  /** Largest answer an app may return (JSON bytes), default 65536. */
  maxAnswerBytes: number;
  /**
   * VANE_APP_SYNC_AFTER: after this many clean runs in a row off the event
   * loop (no failure, each well inside the time limit), an app version runs
   * on the event loop's thread (no thread hop); its first timeout or memory
   * failure there sends it back off the loop for good. 0 = never. Default 1000.
   */
  syncAfter: number;
}

export const defaultSandboxLimits: SandboxLimits = {
  memoryMb: 32,
  timeoutMs: 50,
  initTimeoutMs: 1000,
  maxPending: 256,
  maxFailures: 3,
  quarantineMs: 1000,
  maxQuarantineMs: 60_000,
  maxAnswerBytes: 64 * 1024,
  syncAfter: 1000,
};

export function resolveSandboxLimits(partial: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits: SandboxLimits = { ...defaultSandboxLimits, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    const min = name === 'syncAfter' ? 0 : 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new VaneError('VANE_ERR_CONFIG', `app sandbox limit ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  if (limits.memoryMb < 8) throw new VaneError('VANE_ERR_CONFIG', `app sandbox limit memoryMb must be at least 8 (isolated-vm's minimum), got ${limits.memoryMb}`);
  return limits;
}

/** The limits from VANE_APP_* variables (entry files only). */
export function sandboxLimitsFromEnv(env: Env): SandboxLimits {
  const read = readEnv(env);
  const partial: Partial<SandboxLimits> = {};
  const set = (key: keyof SandboxLimits, name: string, min = 1): void => {
    const value = read.int(name, { min });
    if (value !== undefined) partial[key] = value;
  };
  set('memoryMb', 'VANE_APP_MEMORY_MB', 8);
  set('timeoutMs', 'VANE_APP_TIMEOUT_MS');
  set('initTimeoutMs', 'VANE_APP_INIT_TIMEOUT_MS');
  set('maxPending', 'VANE_APP_MAX_PENDING');
  set('maxFailures', 'VANE_APP_MAX_FAILURES');
  set('quarantineMs', 'VANE_APP_QUARANTINE_MS');
  set('maxQuarantineMs', 'VANE_APP_MAX_QUARANTINE_MS');
  set('syncAfter', 'VANE_APP_SYNC_AFTER', 0);
  return resolveSandboxLimits(partial);
}
