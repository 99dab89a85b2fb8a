import { VaneError, type VaneErrorCode } from '@vane/core';

/**
 * The one place this package creates errors. Every error carries a stable
 * VANE_ERR_* code; a body the Ichnaea-compatible API cannot accept also
 * carries the `details` that its parseError envelope shows
 * (`{decode: "…"}` for bytes that are not JSON, `{validation: {path: message}}`
 * for JSON of the wrong shape).
 */
export type ParseDetails = { decode: string } | { validation: Record<string, string> };

export class LocateError extends VaneError {
  constructor(code: VaneErrorCode, message: string, details: ParseDetails | null = null) {
    super(code, message, details ? { details } : {});
    this.name = 'LocateError';
  }

  /** The parseError details of this error, when it has any. */
  get parseDetails(): ParseDetails | null {
    return (this.details as ParseDetails | undefined) ?? null;
  }
}

/** A body that is not JSON (VANE_ERR_BAD_INPUT). */
export function decodeFailure(reason: string): LocateError {
  return new LocateError('VANE_ERR_BAD_INPUT', `the body is not JSON: ${reason}`, { decode: reason });
}

/** JSON whose fields have the wrong types (VANE_ERR_VALIDATION), one message per field path. */
export function validationFailure(errors: Record<string, string>): LocateError {
  const paths = Object.keys(errors);
  return new LocateError('VANE_ERR_VALIDATION', `invalid request fields: ${paths.join(', ')}`, { validation: errors });
}

/** A request with nothing usable in it where the API needs something (e.g. a submit without items). */
export function emptyRequest(what: string): LocateError {
  return new LocateError('VANE_ERR_VALIDATION', what);
}

export function isLocateError(error: unknown): error is LocateError {
  return error instanceof LocateError;
}
