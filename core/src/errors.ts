/**
 * Vane's error contract: every error a user or operator can see carries a
 * stable code (VANE_ERR_*), declared once here with the HTTP status every
 * gateway answers it with and whether retrying the same operation can
 * succeed. Processors route non-retriable errors on records to the dead-letter
 * topic; retriable ones (infrastructure) are retried with backoff. Codes that
 * never reach an HTTP client (CLI, local stack, processors) still have a
 * status, so that one code always means one answer.
 */
export interface ErrorCodeSpec {
  /** The HTTP status of an answer carrying this code. */
  readonly status: number;
  /** Whether the same operation can succeed later (a VaneError's default `retriable`). */
  readonly retriable: boolean;
  /** One line: what the code means. */
  readonly doc: string;
}

export const errorCodes = {
  // Settings, usage, the local stack (CLI and entry files).
  VANE_ERR_CONFIG: { status: 500, retriable: false, doc: 'a setting (environment variable or option) is invalid; the component does not start' },
  VANE_ERR_USAGE: { status: 400, retriable: false, doc: 'a command was called wrongly (the CLI exits with 2)' },
  VANE_ERR_PORT_IN_USE: { status: 500, retriable: false, doc: 'a port the local stack needs is taken by a process Vane did not start' },
  VANE_ERR_START_TIMEOUT: { status: 503, retriable: true, doc: 'a local service did not become healthy in time' },
  VANE_ERR_START_FAILED: { status: 500, retriable: false, doc: 'a local service exited while starting' },
  VANE_ERR_INSTALL: { status: 500, retriable: false, doc: 'installing a local service failed' },
  VANE_ERR_NOT_RUNNING: { status: 503, retriable: true, doc: 'a service is not running or still loading' },
  // Topics, schemas, records.
  VANE_ERR_UNKNOWN_TOPIC: { status: 404, retriable: false, doc: 'the topic is not in the catalogue' },
  VANE_ERR_UNKNOWN_SCHEMA: { status: 400, retriable: false, doc: 'a record names a schema id the registry does not know' },
  VANE_ERR_SCHEMA_INCOMPATIBLE: { status: 409, retriable: false, doc: 'a schema change is not BACKWARD compatible' },
  VANE_ERR_TOPIC_DRIFT: { status: 409, retriable: false, doc: 'a topic differs from the catalogue in a way Kafka cannot change in place' },
  VANE_ERR_DECODE: { status: 400, retriable: false, doc: 'a record is not Avro in the Confluent wire format' },
  VANE_ERR_VALIDATION: { status: 400, retriable: false, doc: 'an input does not satisfy its schema or rules (`field` names it)' },
  VANE_ERR_BAD_INPUT: { status: 400, retriable: false, doc: 'an input cannot be read (not JSON, not gzip, malformed)' },
  VANE_ERR_PROCESS: { status: 500, retriable: false, doc: 'a processor threw on a record (the record is dead-lettered)' },
  VANE_ERR_UNDECLARED_OUTPUT: { status: 500, retriable: false, doc: 'a processor emitted an output its manifest does not declare' },
  VANE_ERR_STATE: { status: 500, retriable: false, doc: 'processor state does not match its changelog or could not be restored' },
  // Infrastructure.
  VANE_ERR_KAFKA: { status: 503, retriable: true, doc: 'Kafka failed or is unreachable' },
  VANE_ERR_REGISTRY: { status: 503, retriable: true, doc: 'the schema registry failed or is unreachable' },
  VANE_ERR_SCYLLA: { status: 503, retriable: true, doc: 'ScyllaDB/Cassandra failed or is unreachable' },
  VANE_ERR_CLICKHOUSE: { status: 503, retriable: true, doc: 'ClickHouse failed or is unreachable' },
  // Callers: keys, tokens, limits (ingest, config).
  VANE_ERR_KEY_MISSING: { status: 401, retriable: false, doc: 'the request carries no key' },
  VANE_ERR_KEY_UNKNOWN: { status: 401, retriable: false, doc: 'the key is not known' },
  VANE_ERR_KEY_REVOKED: { status: 403, retriable: false, doc: 'the key is known but was revoked' },
  VANE_ERR_KEY_SCOPE: { status: 403, retriable: false, doc: 'the key may not call this endpoint' },
  VANE_ERR_HOSTNAME_NOT_ALLOWED: { status: 403, retriable: false, doc: 'the page is not on a hostname of the site' },
  VANE_ERR_FORBIDDEN: { status: 403, retriable: false, doc: 'the caller may not do this (role or operator only)' },
  VANE_ERR_TENANT_DISABLED: { status: 403, retriable: false, doc: 'the tenant is disabled' },
  VANE_ERR_TOKEN_INVALID: { status: 401, retriable: false, doc: 'the token is not one this service issued' },
  VANE_ERR_TOKEN_EXPIRED: { status: 401, retriable: false, doc: 'the token has expired; fetch a new one' },
  VANE_ERR_RATE_LIMITED: { status: 429, retriable: true, doc: 'too many requests for this key; retry after Retry-After' },
  VANE_ERR_DAILY_LIMIT: { status: 429, retriable: true, doc: "the key's requests for today (UTC) are used up; retry after Retry-After" },
  VANE_ERR_BODY_TOO_LARGE: { status: 413, retriable: false, doc: 'the request body is larger than the endpoint accepts' },
  VANE_ERR_PAYLOAD_TOO_LARGE: { status: 413, retriable: false, doc: 'a document inside the request is larger than its limit' },
  VANE_ERR_MEDIA_TYPE: { status: 415, retriable: false, doc: 'the Content-Type is not one the endpoint accepts' },
  // Durability (ingest).
  VANE_ERR_SPOOL_FULL: { status: 503, retriable: true, doc: 'Kafka is unreachable and the local spool is full; retry after Retry-After' },
  VANE_ERR_SPOOL: { status: 503, retriable: true, doc: 'the local spool cannot be written or read' },
  // Resources.
  VANE_ERR_NOT_FOUND: { status: 404, retriable: false, doc: "no such route or object (another tenant's objects look the same)" },
  VANE_ERR_CONFLICT: { status: 409, retriable: false, doc: 'the change conflicts with what exists' },
  VANE_ERR_NOT_READY: { status: 503, retriable: true, doc: 'the service is still loading its state; retry after Retry-After' },
  VANE_ERR_INTERNAL: { status: 500, retriable: false, doc: 'an unexpected error (logged by the service)' },
  // Access-log lines the ingest gateway rejects (counted per reason in the upload summary).
  VANE_ERR_LOG_UNPARSABLE: { status: 400, retriable: false, doc: 'a log line does not match the format' },
  VANE_ERR_LOG_BAD_REQUEST_LINE: { status: 400, retriable: false, doc: "a log line's request line is not METHOD PATH PROTOCOL" },
  VANE_ERR_LOG_BAD_TIME: { status: 400, retriable: false, doc: "a log line's time cannot be read" },
  VANE_ERR_LOG_BAD_ADDRESS: { status: 400, retriable: false, doc: "a log line's client address is not an IP address" },
  VANE_ERR_LOG_LINE_TOO_LONG: { status: 400, retriable: false, doc: 'a log line is longer than VANE_INGEST_LOG_MAX_LINE_BYTES' },
  // Replays (vane replay).
  VANE_ERR_REPLAY: { status: 409, retriable: false, doc: 'the replay cannot run: unknown processor or version, or a version still running' },
  VANE_ERR_REPLAY_MISMATCH: { status: 409, retriable: false, doc: 'verify found differences between two versions' },
  // Snapshot distribution (snapshots).
  VANE_ERR_VERSION_GONE: { status: 410, retriable: false, doc: 'the snapshot version is older than the deltas kept; fetch a new snapshot' },
  VANE_ERR_VERSION_INVALID: { status: 400, retriable: false, doc: 'the snapshot version is malformed or missing' },
  // Routing apps (config, dns, decide).
  VANE_ERR_APP_COMPILE: { status: 422, retriable: false, doc: 'the app source does not compile' },
  VANE_ERR_APP_INIT: { status: 422, retriable: false, doc: "the app's top level or init() failed" },
  VANE_ERR_APP_TEST_FAILED: { status: 422, retriable: false, doc: "the app version fails one of its test cases (`failing`, `cases`)" },
  VANE_ERR_APP_NOT_PUBLISHED: { status: 404, retriable: false, doc: 'the app has no published version' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type VaneErrorCode = keyof typeof errorCodes;

export function isVaneErrorCode(code: unknown): code is VaneErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(errorCodes, code);
}

/** The HTTP status every gateway answers `code` with. */
export function httpStatusOf(code: VaneErrorCode): number {
  return errorCodes[code].status;
}

export interface VaneErrorOptions {
  /** Whether retrying can succeed; default: the code's `retriable`. */
  retriable?: boolean;
  cause?: unknown;
  /** The input the error is about, as `<body|querystring|headers|params>.<path>` (e.g. "body.events.0.url"). */
  field?: string;
  /** More JSON for the answer body (e.g. a test report, an upload summary). */
  details?: Record<string, unknown>;
  /** Seconds after which a retry may succeed (the Retry-After header). */
  retryAfter?: number;
}

export class VaneError extends Error {
  readonly code: VaneErrorCode;
  readonly retriable: boolean;
  declare readonly field?: string;
  declare readonly details?: Record<string, unknown>;
  declare readonly retryAfter?: number;

  constructor(code: VaneErrorCode, message: string, options: VaneErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VaneError';
    this.code = code;
    this.retriable = options.retriable ?? errorCodes[code]?.retriable ?? false;
    if (options.field !== undefined) this.field = options.field;
    if (options.details !== undefined) this.details = options.details;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
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
