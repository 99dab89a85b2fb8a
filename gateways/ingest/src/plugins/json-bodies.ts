import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VaneError } from '@vane/core';

/**
 * JSON bodies of the browser endpoints. `navigator.sendBeacon(url, string)`
 * sends `text/plain;charset=UTF-8` (the only type it may send cross-origin
 * without a preflight), so text/plain bodies are parsed as JSON too.
 */
export function acceptJsonAsTextPlain(scope: FastifyInstance, bodyLimit: number): void {
  scope.removeContentTypeParser('text/plain');
  scope.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string) as unknown);
    } catch (error) {
      done(new VaneError('VANE_ERR_BAD_INPUT', `the body is not valid JSON: ${(error as Error).message}`, { field: 'body' }), undefined);
    }
  });
}

/**
 * Lets a client send one item instead of a batch: a body that is a single
 * object (it has `itemKey`, e.g. "type") becomes `{key, [listName]: [object]}`
 * before validation, so one schema covers both.
 */
export function singleToBatch(listName: string, itemKey: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const body = request.body as Record<string, unknown> | null | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || listName in body || !(itemKey in body)) return;
    const { key, ...item } = body;
    request.body = key === undefined ? { [listName]: [item] } : { key, [listName]: [item] };
  };
}
