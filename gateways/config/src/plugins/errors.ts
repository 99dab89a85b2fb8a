import type { FastifyError, FastifyInstance } from 'fastify';
import { isVaneError, VaneError, type VaneErrorCode } from '@vane/infra';

/**
 * Error answers of the config service: JSON `{code, message, field?, …details}`
 * with a stable VANE_ERR_* code. A refused app version carries its test
 * report (`failing`, `cases`).
 */
const STATUS: Partial<Record<VaneErrorCode, number>> = {
  VANE_ERR_VALIDATION: 400,
  VANE_ERR_BAD_INPUT: 400,
  VANE_ERR_KEY_MISSING: 401,
  VANE_ERR_KEY_UNKNOWN: 401,
  VANE_ERR_KEY_REVOKED: 401,
  VANE_ERR_FORBIDDEN: 403,
  VANE_ERR_TENANT_DISABLED: 403,
  VANE_ERR_NOT_FOUND: 404,
  VANE_ERR_CONFLICT: 409,
  VANE_ERR_PAYLOAD_TOO_LARGE: 413,
  VANE_ERR_BODY_TOO_LARGE: 413,
  VANE_ERR_MEDIA_TYPE: 415,
  VANE_ERR_APP_COMPILE: 422,
  VANE_ERR_APP_INIT: 422,
  VANE_ERR_APP_TEST_FAILED: 422,
  VANE_ERR_NOT_READY: 503,
  VANE_ERR_KAFKA: 503,
  VANE_ERR_REGISTRY: 503,
};

/** A refusal with a field and/or extra JSON details. */
export class ApiError extends VaneError {
  constructor(
    code: VaneErrorCode,
    message: string,
    readonly extra: { field?: string; details?: Record<string, unknown> } = {},
  ) {
    super(code, message);
  }
}

export function statusOf(code: VaneErrorCode): number {
  return STATUS[code] ?? 500;
}

interface ValidationItem {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

export function registerErrors(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 'VANE_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(statusOf(error.code)).send({ code: error.code, message: error.message, ...(error.extra.field ? { field: error.extra.field } : {}), ...(error.extra.details ?? {}) });
    }
    if (isVaneError(error)) return reply.code(statusOf(error.code)).send({ code: error.code, message: error.message });
    const fe = error as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
    if (fe.validation) {
      const first = fe.validation[0];
      const path = (first?.instancePath ?? '').split('/').filter(Boolean);
      if (typeof first?.params?.missingProperty === 'string') path.push(first.params.missingProperty);
      if (typeof first?.params?.additionalProperty === 'string') path.push(first.params.additionalProperty);
      const field = [fe.validationContext ?? 'body', ...path].join('.');
      return reply.code(400).send({ code: 'VANE_ERR_VALIDATION', message: `${field} ${first?.message ?? 'is invalid'}`, field });
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ code: 'VANE_ERR_BODY_TOO_LARGE', message: 'the request body is too large' });
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ code: 'VANE_ERR_MEDIA_TYPE', message: 'send JSON (content-type: application/json)' });
    if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.statusCode === 400) return reply.code(400).send({ code: 'VANE_ERR_BAD_INPUT', message: fe.message });
    request.log.error({ err: error }, 'config service: unexpected error');
    return reply.code(500).send({ code: 'VANE_ERR_INTERNAL', message: 'internal error' });
  });
}
