import { gzipSync } from 'node:zlib';
import { derivedEventId } from '../../src/event-id';
import { KEY, LOGS_ONLY_KEY, REVOKED_KEY, SITE_ID, testApp, type TestApp } from '../support/harness';

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const LOG = [
  `203.0.113.9 - - [15/Jan/2026:10:00:00 +0100] "GET /pricing?plan=pro HTTP/1.1" 200 5120 "https://search.example/" "${UA}"`,
  `2001:db8:85a3:1234::7 - alice [15/Jan/2026:10:00:01 +0100] "POST /api/signup HTTP/2.0" 201 - "-" "curl/8.5.0"`,
  'this is not a log line',
  `203.0.113.9 - - [15/Foo/2026:10:00:02 +0100] "GET / HTTP/1.1" 200 1 "-" "-"`,
  `203.0.113.9 - - [15/Jan/2026:10:00:03 +0100] "\\x16\\x03\\x01" 400 157 "-" "-"`,
  '',
  `example.com - - [15/Jan/2026:10:00:04 +0100] "GET / HTTP/1.1" 200 1 "-" "-"`,
  `203.0.113.9 - - [15/Jan/2026:10:00:05 +0100] "GET /caf\\xC3\\xA9 HTTP/1.1" 404 0 "-" "Mozilla/5.0 \\"quoted\\""`,
].join('\n');

describe('POST /api/v1/beacon/log', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  afterEach(async () => {
    await t.app.close();
  });

  it('parses an nginx combined log, answers a summary with reasons and first line numbers, and writes every good line', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/beacon/log?format=nginx_combined&uploadId=up-1', headers: { 'x-vane-key': LOGS_ONLY_KEY, 'content-type': 'text/plain' }, payload: LOG });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      uploadId: 'up-1',
      format: 'nginx_combined',
      lines: 8,
      accepted: 3,
      rejected: 4,
      rejectedByReason: {
        VANE_ERR_LOG_UNPARSABLE: { count: 1, firstLines: [3] },
        VANE_ERR_LOG_BAD_TIME: { count: 1, firstLines: [4] },
        VANE_ERR_LOG_BAD_REQUEST_LINE: { count: 1, firstLines: [5] },
        VANE_ERR_LOG_BAD_ADDRESS: { count: 1, firstLines: [7] },
      },
    });
    const lines = t.produced('ingest.serverlogs.v1');
    expect(lines.map((l) => l.key)).toEqual([SITE_ID, SITE_ID, SITE_ID]);
    const [a, b, c] = lines.map((l) => l.value);
    expect(a).toMatchObject({
      eventId: derivedEventId(`${SITE_ID}:up-1:1`),
      siteId: SITE_ID,
      uploadId: 'up-1',
      lineNumber: 1,
      format: 'nginx_combined',
      time: Date.UTC(2026, 0, 15, 9, 0, 0),
      method: 'GET',
      path: '/pricing',
      query: 'plan=pro',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 5120,
      referrer: 'https://search.example/',
      userAgent: { raw: UA, family: 'Chrome', os: 'Windows', deviceClass: 'desktop' },
      network: { truncatedIp: '203.0.113.0/24', country: 'DE', asn: 3320 },
    });
    expect(a!.visitorId).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toMatchObject({ lineNumber: 2, method: 'POST', path: '/api/signup', query: null, protocol: 'HTTP/2.0', status: 201, bytes: 0, referrer: null, network: { truncatedIp: '2001:db8:85a3::/48' } });
    expect(b!.userAgent).toMatchObject({ raw: 'curl/8.5.0', deviceClass: 'bot' });
    expect(c).toMatchObject({ lineNumber: 8, path: '/café', status: 404, userAgent: { raw: 'Mozilla/5.0 "quoted"' } });
    for (const r of t.sink.records) {
      expect(r.value.includes(Buffer.from('203.0.113.9'))).toBe(false);
      expect(r.value.includes(Buffer.from('2001:db8:85a3:1234'))).toBe(false);
    }
  });

  it('takes gzip bodies and Apache common logs; a retried upload gets the same event ids', async () => {
    const common = ['192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', '192.0.2.2 - - [10/Oct/2000:13:55:37 -0700] "GET /a HTTP/1.0" 304 -'].join('\r\n');
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/beacon/log?key=${KEY}&format=apache_common&uploadId=retry-me`, headers: { 'content-type': 'application/gzip' }, payload: gzipSync(common) });
      expect(res.json()).toMatchObject({ lines: 2, accepted: 2, rejected: 0 });
    }
    const lines = t.produced('ingest.serverlogs.v1').map((l) => l.value);
    expect(lines[0]).toMatchObject({ format: 'apache_common', time: Date.UTC(2000, 9, 10, 20, 55, 36), path: '/apache_pb.gif', userAgent: null, referrer: null });
    expect(lines.map((l) => l.eventId)).toEqual([lines[0]!.eventId, lines[1]!.eventId, lines[0]!.eventId, lines[1]!.eventId]);
  });

  it('rejects over-long lines and counts them, and refuses a broken gzip body or an unknown format', async () => {
    const t2 = await testApp({ settings: { logMaxLineBytes: 200 } });
    const long = `203.0.113.9 - - [15/Jan/2026:10:00:00 +0100] "GET /${'x'.repeat(300)} HTTP/1.1" 200 1 "-" "-"`;
    const ok = `203.0.113.9 - - [15/Jan/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-"`;
    const res = await t2.app.inject({ method: 'POST', url: `/api/v1/beacon/log?key=${KEY}`, payload: `${ok}\n${long}\n${ok}\n` });
    expect(res.json()).toMatchObject({ lines: 3, accepted: 2, rejected: 1, rejectedByReason: { VANE_ERR_LOG_LINE_TOO_LONG: { count: 1, firstLines: [2] } } });
    await t2.app.close();

    const broken = gzipSync(ok).subarray(0, 12);
    const bad = await t.app.inject({ method: 'POST', url: `/api/v1/beacon/log?key=${KEY}`, payload: Buffer.concat([broken, Buffer.from('garbage')]) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VANE_ERR_BAD_INPUT', field: 'body' });
    const format = await t.app.inject({ method: 'POST', url: `/api/v1/beacon/log?key=${KEY}&format=iis`, payload: ok });
    expect(format.statusCode).toBe(400);
    expect(format.json()).toMatchObject({ code: 'VANE_ERR_VALIDATION', field: 'querystring.format' });
  });

  it('refuses missing, revoked and wrong-scope keys, and uploads over the size limit', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/beacon/log', payload: 'x' })).json()).toMatchObject({ code: 'VANE_ERR_KEY_MISSING' });
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/beacon/log?key=${REVOKED_KEY}`, payload: 'x' })).json()).toMatchObject({ code: 'VANE_ERR_KEY_REVOKED' });
    const beaconWithLogsKey = await t.app.inject({ method: 'POST', url: `/api/v1/beacon?key=${LOGS_ONLY_KEY}`, payload: { type: 'pageview', url: 'https://example.com/' } });
    expect(beaconWithLogsKey.json()).toMatchObject({ code: 'VANE_ERR_KEY_SCOPE' });
    const small = await testApp({ settings: { logMaxBytes: 1000 } });
    const line = `203.0.113.9 - - [15/Jan/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-"\n`;
    const res = await small.app.inject({ method: 'POST', url: `/api/v1/beacon/log?key=${KEY}`, payload: line.repeat(40) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'VANE_ERR_BODY_TOO_LARGE' });
    await small.app.close();
  });

  it('answers 503 with the summary so far when the spool is full', async () => {
    t.sink.refuse = true;
    const line = `203.0.113.9 - - [15/Jan/2026:10:00:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-"\n`;
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/beacon/log?key=${KEY}&uploadId=u9`, payload: line.repeat(10) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'VANE_ERR_SPOOL_FULL', uploadId: 'u9', accepted: 0 });
  });
});
