import Fastify, { type FastifyInstance } from 'fastify';
import { answersVaneErrors, registerVaneErrors, type ErrorAnswer } from '../src/http/vane-errors';
import { errorCodes, httpStatusOf, VaneError, type VaneErrorCode } from '../src';

const codes = Object.keys(errorCodes) as VaneErrorCode[];

describe('the HTTP error plugin', () => {
  let app: FastifyInstance;
  const seen: ErrorAnswer[] = [];

  beforeAll(async () => {
    app = Fastify({ logger: false, bodyLimit: 64 });
    registerVaneErrors(app, { accepts: 'application/json or text/plain', retryAfterSeconds: 5, onError: (answer) => seen.push(answer) });
    app.get<{ Params: { code: VaneErrorCode } }>('/codes/:code', async (request) => {
      throw new VaneError(request.params.code, `thrown as ${request.params.code}`);
    });
    app.post('/field', async () => {
      throw new VaneError('VANE_ERR_HOSTNAME_NOT_ALLOWED', 'evil.example is not a hostname of the site', { field: 'body.url', details: { code: 'ignored', site: 's1', message: 'ignored' } });
    });
    app.get('/limited', async () => {
      throw new VaneError('VANE_ERR_RATE_LIMITED', 'slow down', { retryAfter: 17 });
    });
    app.get('/spool', async () => {
      throw new VaneError('VANE_ERR_SPOOL_FULL', 'full');
    });
    app.get('/boom', async () => {
      throw new Error('a bug');
    });
    app.get('/fastify-4xx', async () => {
      throw Object.assign(new Error('URI too long'), { statusCode: 414 });
    });
    app.post('/schema', { schema: { body: { type: 'object', required: ['events'], properties: { events: { type: 'array', items: { type: 'object', required: ['url'] } } } } } }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('marks the app as answering through the plugin', () => {
    expect(answersVaneErrors(app)).toBe(true);
    expect(answersVaneErrors(Fastify())).toBe(false);
  });

  it('answers every code with the status of the table and {code, message}, never cached', async () => {
    for (const code of codes) {
      const res = await app.inject({ url: `/codes/${code}` });
      expect([code, res.statusCode]).toEqual([code, httpStatusOf(code)]);
      expect(res.json()).toEqual({ code, message: `thrown as ${code}` });
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('adds field and details, which never replace the code or the message', async () => {
    const res = await app.inject({ method: 'POST', url: '/field', payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 'VANE_ERR_HOSTNAME_NOT_ALLOWED', message: 'evil.example is not a hostname of the site', field: 'body.url', site: 's1' });
  });

  it('sends Retry-After from the error, or the default on a 503', async () => {
    const limited = await app.inject({ url: '/limited' });
    expect([limited.statusCode, limited.headers['retry-after']]).toEqual([429, '17']);
    const spool = await app.inject({ url: '/spool' });
    expect([spool.statusCode, spool.headers['retry-after']]).toEqual([503, '5']);
    const notFound = await app.inject({ url: '/nothing' });
    expect(notFound.headers['retry-after']).toBeUndefined();
  });

  it("maps Fastify's own refusals: validation, body size, media type, bad JSON, unknown routes", async () => {
    const invalid = await app.inject({ method: 'POST', url: '/schema', payload: { events: [{}] } });
    expect([invalid.statusCode, invalid.json()]).toEqual([400, { code: 'VANE_ERR_VALIDATION', message: "body.events.0.url must have required property 'url'", field: 'body.events.0.url' }]);
    const big = await app.inject({ method: 'POST', url: '/schema', payload: { events: [{ url: 'x'.repeat(100) }] } });
    expect([big.statusCode, big.json()]).toEqual([413, { code: 'VANE_ERR_BODY_TOO_LARGE', message: 'the request body is larger than this endpoint accepts', field: 'body' }]);
    const xml = await app.inject({ method: 'POST', url: '/schema', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect([xml.statusCode, xml.json()]).toEqual([415, { code: 'VANE_ERR_MEDIA_TYPE', message: 'unsupported Content-Type: send application/json or text/plain', field: 'headers.content-type' }]);
    const notJson = await app.inject({ method: 'POST', url: '/schema', headers: { 'content-type': 'application/json' }, payload: '{"events":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ code: 'VANE_ERR_BAD_INPUT', field: 'body' });
    expect(notJson.json().message).toMatch(/^the body is not valid JSON: /);
    const other = await app.inject({ url: '/fastify-4xx' });
    expect([other.statusCode, other.json()]).toEqual([400, { code: 'VANE_ERR_BAD_INPUT', message: 'URI too long' }]);
    const missing = await app.inject({ method: 'DELETE', url: '/nothing?x=1' });
    expect([missing.statusCode, missing.json()]).toEqual([404, { code: 'VANE_ERR_NOT_FOUND', message: 'no route DELETE /nothing' }]);
  });

  it('hides unexpected errors behind 500 VANE_ERR_INTERNAL', async () => {
    const res = await app.inject({ url: '/boom' });
    expect([res.statusCode, res.json()]).toEqual([500, { code: 'VANE_ERR_INTERNAL', message: 'internal error' }]);
  });

  it('calls the hook once per error answer, not-found included', async () => {
    seen.length = 0;
    await app.inject({ url: '/codes/VANE_ERR_KEY_REVOKED' });
    await app.inject({ url: '/nothing' });
    expect(seen.map((a) => [a.status, a.body.code])).toEqual([
      [403, 'VANE_ERR_KEY_REVOKED'],
      [404, 'VANE_ERR_NOT_FOUND'],
    ]);
  });
});
