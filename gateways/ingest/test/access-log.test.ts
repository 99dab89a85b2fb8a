import { parseLogLine, parseLogTime, unescapeLogField } from '../src/access-log';

describe('access-log parsing', () => {
  it('parses times with their offset', () => {
    expect(parseLogTime('10/Oct/2000:13:55:36 -0700')).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(parseLogTime('01/Jan/2026:00:30:00 +0530')).toBe(Date.UTC(2025, 11, 31, 19, 0, 0));
    expect(parseLogTime('10/Okt/2000:13:55:36 -0700')).toBeNull();
    expect(parseLogTime('garbage')).toBeNull();
  });

  it('undoes nginx and Apache escaping', () => {
    expect(unescapeLogField('caf\\xC3\\xA9')).toBe('café');
    expect(unescapeLogField('say \\"hi\\" \\\\ bye')).toBe('say "hi" \\ bye');
    expect(unescapeLogField('plain')).toBe('plain');
  });

  it('parses combined lines, ignores trailing fields and proxies absolute targets', () => {
    const line = '198.51.100.4 - bob [21/Nov/2026:08:01:02 +0000] "GET http://example.com/x?y=1 HTTP/1.1" 301 178 "-" "Wget/1.21" "203.0.113.1"';
    expect(parseLogLine(line, 'nginx_combined')).toEqual({
      remoteAddr: '198.51.100.4',
      time: Date.UTC(2026, 10, 21, 8, 1, 2),
      method: 'GET',
      path: '/x',
      query: 'y=1',
      protocol: 'HTTP/1.1',
      status: 301,
      bytes: 178,
      referrer: null,
      userAgent: 'Wget/1.21',
    });
    expect(parseLogLine(line, 'apache_common')).toMatchObject({ status: 301, referrer: null, userAgent: null });
    expect(parseLogLine('198.51.100.4 - - [21/Nov/2026:08:01:02 +0000] "GET / HTTP/1.1" 200 1', 'apache_combined')).toEqual({ reason: 'VANE_ERR_LOG_UNPARSABLE' });
    expect(parseLogLine('198.51.100.4 - - [21/Nov/2026:08:01:02 +0000] "-" 400 0 "-" "-"', 'nginx_combined')).toEqual({ reason: 'VANE_ERR_LOG_BAD_REQUEST_LINE' });
  });
});
