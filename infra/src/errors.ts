/**
 * Vane's error contract: every error a user or operator can see carries a
 * stable code (VANE_ERR_*) and says whether retrying the same operation can
 * succeed. Processors route non-retriable errors on records to the dead-letter
 * topic; retriable ones (infrastructure) are retried with backoff.
 */
export type VaneErrorCode =
  | 'VANE_ERR_CONFIG'
  | 'VANE_ERR_USAGE'
  | 'VANE_ERR_PORT_IN_USE'
  | 'VANE_ERR_START_TIMEOUT'
  | 'VANE_ERR_START_FAILED'
  | 'VANE_ERR_INSTALL'
  | 'VANE_ERR_NOT_RUNNING'
  | 'VANE_ERR_UNKNOWN_TOPIC'
  | 'VANE_ERR_UNKNOWN_SCHEMA'
  | 'VANE_ERR_SCHEMA_INCOMPATIBLE'
  | 'VANE_ERR_DECODE'
  | 'VANE_ERR_VALIDATION'
  | 'VANE_ERR_PROCESS'
  | 'VANE_ERR_UNDECLARED_OUTPUT'
  | 'VANE_ERR_BAD_INPUT'
  | 'VANE_ERR_KAFKA'
  | 'VANE_ERR_REGISTRY'
  | 'VANE_ERR_SCYLLA'
  | 'VANE_ERR_CLICKHOUSE'
  | 'VANE_ERR_TOPIC_DRIFT'
  // Ingest gateway (gateways/ingest): HTTP answers carry these as `code`.
  | 'VANE_ERR_KEY_MISSING'
  | 'VANE_ERR_KEY_UNKNOWN'
  | 'VANE_ERR_KEY_REVOKED'
  | 'VANE_ERR_KEY_SCOPE'
  | 'VANE_ERR_HOSTNAME_NOT_ALLOWED'
  | 'VANE_ERR_RATE_LIMITED'
  | 'VANE_ERR_DAILY_LIMIT'
  | 'VANE_ERR_BODY_TOO_LARGE'
  | 'VANE_ERR_MEDIA_TYPE'
  | 'VANE_ERR_TOKEN_INVALID'
  | 'VANE_ERR_TOKEN_EXPIRED'
  | 'VANE_ERR_SPOOL_FULL'
  | 'VANE_ERR_SPOOL'
  | 'VANE_ERR_NOT_FOUND'
  | 'VANE_ERR_INTERNAL'
  // Access-log lines the ingest gateway rejects (counted per reason in the upload summary).
  | 'VANE_ERR_LOG_UNPARSABLE'
  | 'VANE_ERR_LOG_BAD_REQUEST_LINE'
  | 'VANE_ERR_LOG_BAD_TIME'
  | 'VANE_ERR_LOG_BAD_ADDRESS'
  | 'VANE_ERR_LOG_LINE_TOO_LONG'
  // Processor state (processors/runtime state*.ts): changelog mismatch, restore failure.
  | 'VANE_ERR_STATE'
  // Replays (vane replay): unknown processor or version, a version still running, verify differences.
  | 'VANE_ERR_REPLAY'
  | 'VANE_ERR_REPLAY_MISMATCH'
  // Snapshot distribution (gateways/snapshots): a delta version too old or malformed.
  | 'VANE_ERR_VERSION_GONE'
  | 'VANE_ERR_VERSION_INVALID'
  | 'VANE_ERR_NOT_READY'
  // Routing apps, the config service and the decision gateways (gateways/apps, config, dns, decide).
  | 'VANE_ERR_APP_COMPILE'
  | 'VANE_ERR_APP_INIT'
  | 'VANE_ERR_APP_TEST_FAILED'
  | 'VANE_ERR_APP_NOT_PUBLISHED'
  | 'VANE_ERR_FORBIDDEN'
  | 'VANE_ERR_CONFLICT'
  | 'VANE_ERR_TENANT_DISABLED'
  | 'VANE_ERR_PAYLOAD_TOO_LARGE';

export class VaneError extends Error {
  readonly code: VaneErrorCode;
  readonly retriable: boolean;

  constructor(code: VaneErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VaneError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export function isVaneError(error: unknown): error is VaneError {
  return error instanceof VaneError;
}

/** One line for a terminal: `VANE_ERR_X: message`. */
export function describeError(error: unknown): string {
  if (isVaneError(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
