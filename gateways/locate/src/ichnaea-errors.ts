import { isVaneError } from '@vane/core';
import { isLocateError, type ParseDetails } from './errors';

/**
 * Error answers of the Ichnaea (and Google geolocation) API: HTTP status
 * plus the envelope
 *   {"error": {"errors": [{"domain", "reason", "message"}], "code", "message"}}
 * with the texts Ichnaea's API documentation gives. A parseError carries
 * `details` (`{decode: …}` or `{validation: {path: message}}`) inside
 * `error`, where the documentation shows it. (Ichnaea's code puts `details`
 * next to `error` and repeats the inner message for keyInvalid; clients read
 * `code` and `reason`, which are the same either way.)
 */
export type IchnaeaReason = 'notFound' | 'keyInvalid' | 'dailyLimitExceeded' | 'parseError' | 'serviceUnavailable' | 'internalError';

export interface IchnaeaErrorBody {
  error: {
    errors: [{ domain: string; reason: IchnaeaReason; message: string }];
    code: number;
    message: string;
    details?: ParseDetails;
  };
}

export interface IchnaeaErrorAnswer {
  status: number;
  body: IchnaeaErrorBody;
}

function envelope(status: number, domain: string, reason: IchnaeaReason, inner: string, outer: string): IchnaeaErrorAnswer {
  return { status, body: { error: { errors: [{ domain, reason, message: inner }], code: status, message: outer } } };
}

/** 404: no position (or region) could be determined. */
export function notFound(): IchnaeaErrorAnswer {
  return envelope(404, 'geolocation', 'notFound', 'Not found', 'Not found');
}

/** 400: the API key is missing, unknown, revoked, or lacks the permission for this API. */
export function keyInvalid(): IchnaeaErrorAnswer {
  return envelope(400, 'usageLimits', 'keyInvalid', 'Missing or invalid API key.', 'Invalid API key');
}

/** 403: the key's daily request limit is used up. */
export function dailyLimitExceeded(): IchnaeaErrorAnswer {
  const text = 'You have exceeded your daily limit.';
  return envelope(403, 'usageLimits', 'dailyLimitExceeded', text, text);
}

/** 400: the body is not JSON, or not of the documented shape; `details` say why when known. */
export function parseError(details?: ParseDetails | null): IchnaeaErrorAnswer {
  const answer = envelope(400, 'global', 'parseError', 'Parse Error', 'Parse Error');
  if (details) answer.body.error.details = details;
  return answer;
}

/** 503: a dependency the call cannot do without is down (e.g. Kafka for a submission). */
export function serviceUnavailable(): IchnaeaErrorAnswer {
  return envelope(503, 'global', 'serviceUnavailable', 'Service Unavailable', 'Service Unavailable');
}

export function internalError(): IchnaeaErrorAnswer {
  return envelope(500, 'global', 'internalError', 'Internal Error', 'Internal Error');
}

/**
 * The Ichnaea answer for a Vane error, so every route maps codes the same
 * way: key codes → keyInvalid (Ichnaea has one reason for a missing,
 * unknown, revoked or unpermitted key), daily limit → dailyLimitExceeded,
 * bad bodies → parseError, not found → notFound, retriable or
 * infrastructure errors → serviceUnavailable, anything else → internalError.
 */
export function ichnaeaErrorFor(error: unknown): IchnaeaErrorAnswer {
  if (!isVaneError(error)) return internalError();
  switch (error.code) {
    case 'VANE_ERR_NOT_FOUND':
      return notFound();
    case 'VANE_ERR_KEY_MISSING':
    case 'VANE_ERR_KEY_UNKNOWN':
    case 'VANE_ERR_KEY_REVOKED':
    case 'VANE_ERR_KEY_SCOPE':
      return keyInvalid();
    case 'VANE_ERR_DAILY_LIMIT':
      return dailyLimitExceeded();
    case 'VANE_ERR_VALIDATION':
    case 'VANE_ERR_BAD_INPUT':
    case 'VANE_ERR_MEDIA_TYPE':
    case 'VANE_ERR_BODY_TOO_LARGE':
      return parseError(isLocateError(error) ? error.parseDetails : null);
    default:
      return error.retriable ? serviceUnavailable() : internalError();
  }
}
