import { VaneError } from '@vane/core';
import {
  dailyLimitExceeded, decodeJsonBody, ichnaeaErrorFor, internalError, isLocateError, keyInvalid, notFound, parseError,
  parseGeolocateRequest, serviceUnavailable,
} from '../src';
import { errorBodies } from './fixtures/ichnaea-examples';

describe('Ichnaea error envelopes', () => {
  it.each([
    ['notFound', notFound(), 404],
    ['keyInvalid', keyInvalid(), 400],
    ['dailyLimitExceeded', dailyLimitExceeded(), 403],
    ['parseError', parseError(), 400],
  ] as const)('%s is the documented body and status', (name, answer, status) => {
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(errorBodies[name]);
  });

  it('serialises the 404 body exactly as documented', () => {
    expect(JSON.stringify(notFound().body)).toBe(
      '{"error":{"errors":[{"domain":"geolocation","reason":"notFound","message":"Not found"}],"code":404,"message":"Not found"}}',
    );
  });

  it('adds decode details to a parseError for a body that is not JSON', () => {
    let answer = parseError();
    try {
      decodeJsonBody('{"wifiAccessPoints": [');
    } catch (error) {
      answer = ichnaeaErrorFor(error);
    }
    expect(answer.status).toBe(400);
    expect(answer.body.error.errors[0].reason).toBe('parseError');
    expect(answer.body.error.details).toEqual({ decode: expect.any(String) });
  });

  it('adds validation details to a parseError for a body of the wrong shape', () => {
    let caught: unknown = null;
    try {
      parseGeolocateRequest({ considerIp: 'sometimes' });
    } catch (error) {
      caught = error;
    }
    expect(isLocateError(caught)).toBe(true);
    expect(ichnaeaErrorFor(caught).body.error.details).toEqual({ validation: { considerIp: expect.any(String) } });
  });

  it('reads an empty body as nothing sent', () => {
    expect(decodeJsonBody('')).toBeUndefined();
    expect(decodeJsonBody(' \n')).toBeUndefined();
    expect(decodeJsonBody('{"a":1}')).toEqual({ a: 1 });
  });

  it.each([
    ['VANE_ERR_KEY_MISSING', 400, 'keyInvalid'],
    ['VANE_ERR_KEY_UNKNOWN', 400, 'keyInvalid'],
    ['VANE_ERR_KEY_REVOKED', 400, 'keyInvalid'],
    ['VANE_ERR_KEY_SCOPE', 400, 'keyInvalid'],
    ['VANE_ERR_DAILY_LIMIT', 403, 'dailyLimitExceeded'],
    ['VANE_ERR_NOT_FOUND', 404, 'notFound'],
    ['VANE_ERR_VALIDATION', 400, 'parseError'],
    ['VANE_ERR_INTERNAL', 500, 'internalError'],
  ] as const)('maps %s to %i %s', (code, status, reason) => {
    const answer = ichnaeaErrorFor(new VaneError(code, 'x'));
    expect([answer.status, answer.body.error.errors[0].reason]).toEqual([status, reason]);
  });

  it('maps retriable and foreign errors to 503 and 500', () => {
    expect(ichnaeaErrorFor(new VaneError('VANE_ERR_KAFKA', 'down', { retriable: true }))).toEqual(serviceUnavailable());
    expect(ichnaeaErrorFor(new Error('boom'))).toEqual(internalError());
  });
});
