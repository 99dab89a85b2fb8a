import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, isVaneError, type VaneErrorCode } from '../errors';

/**
 * The error answers of every HTTP gateway: JSON `{code, message, field?, …details}`
 * with the status of the code in the one error table (errors.ts), and
 * `Cache-Control: no-store`. `field` names the offending input as
 * `<body|querystring|headers|params>.<path>` (e.g. "body.events.0.url").
 * Fastify's own refusals get codes too: a schema validation failure is 400
 * VANE_ERR_VALIDATION with `field`, a body over the limit 413
 * VANE_ERR_BODY_TOO_LARGE, an unsupported Content-Type 415
 * VANE_ERR_MEDIA_TYPE, a body that is not JSON (or any other 4xx of
 * Fastify's) 400 VANE_ERR_BAD_INPUT, an unknown route 404 VANE_ERR_NOT_FOUND;
 * anything else is 500 VANE_ERR_INTERNAL (logged). An error carrying
 * `retryAfter` (seconds) answers with `Retry-After`.
 */
export interface ErrorBody {
  code: VaneErrorCode;
  message: string;
  field?: string;
  [detail: string]: unknown;
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  /** Seconds for the Retry-After header. */
  retryAfter?: number;
}

export interface VaneErrorsOptions {
  /** The body types the gateway accepts, for the 415 message. Default "application/json". */
  accepts?: string;
  /** Retry-After (seconds) of a 503 answer whose error carries none. Default: no header. */
  retryAfterSeconds?: number;
  /** Called once for every error answer (not-found included) before it is sent, e.g. to count refusals. */
  onError?: (answer: ErrorAnswer, request: FastifyRequest) => void;
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

type FastifyLikeError = Error & { code?: string; statusCode?: number; validation?: ValidationItem[]; validationContext?: string };

/** The instances registerVaneErrors was called on. */
const registered = new WeakSet<FastifyInstance>();

function fieldOf(context: string | undefined, item: ValidationItem | undefined): string {
  const path = (item?.instancePath ?? '').split('/').filter(Boolean);
  const missing = item?.params?.missingProperty;
  if (typeof missing === 'string') path.push(missing);
  const extra = item?.params?.additionalProperty;
  if (typeof extra === 'string') path.push(extra);
  return [context ?? 'body', ...path].join('.');
}

function answer(code: VaneErrorCode, message: string, extra: { field?: string; details?: Record<string, unknown>; retryAfter?: number } = {}): ErrorAnswer {
  const body: ErrorBody = { code, message, ...(extra.field !== undefined ? { field: extra.field } : {}), ...extra.details };
  // Details never replace the code or the message.
  body.code = code;
  body.message = message;
  return { status: httpStatusOf(code), body, ...(extra.retryAfter !== undefined ? { retryAfter: extra.retryAfter } : {}) };
}

/** The answer for an error thrown anywhere in a request (the table decides the status). */
export function errorAnswer(error: unknown, options: Pick<VaneErrorsOptions, 'accepts'> = {}): ErrorAnswer {
  if (isVaneError(error)) return answer(error.code, error.message, { field: error.field, details: error.details, retryAfter: error.retryAfter });
  const fe = error as FastifyLikeError;
  if (fe?.validation) {
    const first = fe.validation[0];
    const field = fieldOf(fe.validationContext, first);
    return answer('VANE_ERR_VALIDATION', `${field} ${first?.message ?? 'is invalid'}`, { field });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer('VANE_ERR_BODY_TOO_LARGE', 'the request body is larger than this endpoint accepts', { field: 'body' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return answer('VANE_ERR_MEDIA_TYPE', `unsupported Content-Type: send ${options.accepts ?? 'application/json'}`, { field: 'headers.content-type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return answer('VANE_ERR_BAD_INPUT', `the body is not valid JSON: ${fe.message}`, { field: 'body' });
    case 'FST_ERR_NOT_FOUND':
      return answer('VANE_ERR_NOT_FOUND', fe.message);
    default:
      break;
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (error instanceof SyntaxError) return answer('VANE_ERR_BAD_INPUT', `the body is not valid JSON: ${error.message}`, { field: 'body' });
    return answer('VANE_ERR_BAD_INPUT', fe.message);
  }
  return answer('VANE_ERR_INTERNAL', 'internal error');
}

function send(reply: FastifyReply, result: ErrorAnswer, options: VaneErrorsOptions, request: FastifyRequest): FastifyReply {
  options.onError?.(result, request);
  const retryAfter = result.retryAfter ?? (result.status === 503 ? options.retryAfterSeconds : undefined);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.code(result.status).header('cache-control', 'no-store').send(result.body);
}

/**
 * Installs the error and not-found handlers on `app` (call it on the root
 * instance, before routes are registered; child scopes inherit both).
 */
export function registerVaneErrors(app: FastifyInstance, options: VaneErrorsOptions = {}): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const result = errorAnswer(error, options);
    if (result.body.code === 'VANE_ERR_INTERNAL') request.log.error({ err: error }, 'unexpected error');
    return send(reply, result, options, request);
  });
  app.setNotFoundHandler((request, reply) => send(reply, answer('VANE_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`), options, request));
  registered.add(app);
}

/** Whether registerVaneErrors was called on `app` (a gateway's root instance). */
export function answersVaneErrors(app: FastifyInstance): boolean {
  return registered.has(app);
}
