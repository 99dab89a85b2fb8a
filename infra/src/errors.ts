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
  | 'VANE_ERR_TOPIC_DRIFT';

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
