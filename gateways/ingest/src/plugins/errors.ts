import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isVaneError, type VaneErrorCode } from '@vane/infra';
import type { IngestContext } from '../context';

/**
 * Error answers. Every refusal is JSON `{code, message, field?}` with a stable
 * VANE_ERR_* code; `field` names the offending input as
 * `<body|querystring|headers>.<path>` (e.g. "body.events.0.url").
 */
export interface ErrorBody {
  code: VaneErrorCode;
  message: string;
  field?: string;
}

const STATUS: Partial<Record<VaneErrorCode, number>> = {
  VANE_ERR_VALIDATION: 400,
  VANE_ERR_BAD_INPUT: 400,
  VANE_ERR_KEY_MISSING: 401,
  VANE_ERR_KEY_UNKNOWN: 401,
  VANE_ERR_TOKEN_INVALID: 401,
  VANE_ERR_TOKEN_EXPIRED: 401,
  VANE_ERR_KEY_REVOKED: 403,
  VANE_ERR_KEY_SCOPE: 403,
  VANE_ERR_HOSTNAME_NOT_ALLOWED: 403,
  VANE_ERR_NOT_FOUND: 404,
  VANE_ERR_BODY_TOO_LARGE: 413,
  VANE_ERR_MEDIA_TYPE: 415,
  VANE_ERR_RATE_LIMITED: 429,
  VANE_ERR_DAILY_LIMIT: 429,
  VANE_ERR_SPOOL_FULL: 503,
  VANE_ERR_SPOOL: 503,
  VANE_ERR_NOT_RUNNING: 503,
};

export function statusOf(code: VaneErrorCode): number {
  return STATUS[code] ?? 500;
}

/** An error carrying the field it is about (thrown by handlers for checks JSON Schema cannot express). */
export class FieldError extends Error {
  constructor(
    readonly code: VaneErrorCode,
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

interface ValidationItem {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(context: string | undefined, item: ValidationItem | undefined): string {
  const path = (item?.instancePath ?? '').split('/').filter(Boolean);
  const missing = item?.params?.missingProperty;
  if (typeof missing === 'string') path.push(missing);
  const extra = item?.params?.additionalProperty;
  if (typeof extra === 'string') path.push(extra);
  return [context ?? 'body', ...path].join('.');
}

function toBody(error: FastifyError | Error): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (error instanceof FieldError) return { status: statusOf(error.code), body: { code: error.code, message: error.message, field: error.field } };
  if (isVaneError(error)) return { status: statusOf(error.code), body: { code: error.code, message: error.message } };
  const fe = error as FastifyError & { validation?: ValidationItem[]; validationContext?: string; retryAfter?: number; vaneCode?: VaneErrorCode };
  if (fe.vaneCode) return { status: fe.statusCode ?? statusOf(fe.vaneCode), body: { code: fe.vaneCode, message: fe.message } };
  if (fe.validation) {
    const first = fe.validation[0];
    const field = fieldOf(fe.validationContext, first);
    return { status: 400, body: { code: 'VANE_ERR_VALIDATION', message: `${field} ${first?.message ?? 'is invalid'}`, field } };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { code: 'VANE_ERR_BODY_TOO_LARGE', message: 'the request body is larger than this endpoint accepts', field: 'body' } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { code: 'VANE_ERR_MEDIA_TYPE', message: 'unsupported Content-Type: send application/json or text/plain (JSON text)', field: 'headers.content-type' } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { code: 'VANE_ERR_BAD_INPUT', message: `the body is not valid JSON: ${fe.message}`, field: 'body' } };
    default:
      break;
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (error instanceof SyntaxError) return { status: 400, body: { code: 'VANE_ERR_BAD_INPUT', message: `the body is not valid JSON: ${error.message}`, field: 'body' } };
    return { status: fe.statusCode, body: { code: 'VANE_ERR_BAD_INPUT', message: fe.message } };
  }
  return { status: 500, body: { code: 'VANE_ERR_INTERNAL', message: 'internal error' } };
}

export function registerErrorHandling(app: FastifyInstance, ctx: IngestContext): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toBody(error);
    if (status >= 500 && body.code === 'VANE_ERR_INTERNAL') request.log.error({ err: error }, 'unexpected error');
    ctx.metrics.rejections.inc({ code: body.code });
    if (status === 503) reply.header('retry-after', String(ctx.settings.retryAfterSeconds));
    const retryAfter = (error as { retryAfter?: number }).retryAfter;
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    ctx.metrics.rejections.inc({ code: 'VANE_ERR_NOT_FOUND' });
    void reply.code(404).send({ code: 'VANE_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } satisfies ErrorBody);
  });
}
