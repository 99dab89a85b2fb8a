/**
 * Reason codes the gateways give when an app did not decide (the answer is
 * then the app version's fallback and `fallback` is true). Apps choose their
 * own codes with `response.setReasonCode`; these are reserved (prefix "app_").
 */
export const reasonCodes = {
  /** The app threw (including touching `require`, `process` or anything else the sandbox lacks). */
  error: 'app_error',
  /** The app exceeded its per-request time limit (VANE_APP_TIMEOUT_MS). */
  timeout: 'app_timeout',
  /** The app exceeded its memory limit (VANE_APP_MEMORY_MB); its isolate is rebuilt. */
  memory: 'app_memory',
  /** The app returned without calling response.respond(). */
  noAnswer: 'app_no_answer',
  /** The app answered something unusable: an unknown provider, a malformed target or TTL. */
  invalidAnswer: 'app_invalid_answer',
  /** The app failed several times in a row (timeouts, memory) and is skipped for a while. */
  quarantined: 'app_quarantined',
  /** Too many requests are waiting for this app's isolate. */
  busy: 'app_busy',
  /** The app version could not be loaded (its top level or init() failed). */
  unavailable: 'app_unavailable',
} as const;

export type GatewayReason = (typeof reasonCodes)[keyof typeof reasonCodes];

/** The reason recorded when an app answered without setting one. */
export const UNSPECIFIED_REASON = 'unspecified';

/** What an app may pass to setReasonCode. */
export const REASON_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
