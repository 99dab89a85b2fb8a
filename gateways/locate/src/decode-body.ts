import { decodeFailure } from './errors';

/**
 * The JSON of a request body as the Ichnaea API reads it: an empty (or
 * whitespace-only) body is `undefined` ("nothing sent"); text that is not
 * JSON throws a LocateError (VANE_ERR_BAD_INPUT) with `{decode: reason}`
 * details. Gzip and charsets are the HTTP layer's business.
 */
export function decodeJsonBody(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw decodeFailure((error as Error).message);
  }
}
