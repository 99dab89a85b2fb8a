import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, errorCodes, httpStatusOf, isVaneError, isVaneErrorCode, VaneError, type VaneErrorCode } from '../src';

const codes = Object.keys(errorCodes) as VaneErrorCode[];

/** The README's table of error codes, as the table in errors.ts says it must read. */
function readmeTable(): string {
  const rows = codes.map((code) => {
    const spec = errorCodes[code];
    return `| \`${code}\` | ${spec.status} | ${spec.retriable ? 'yes' : 'no'} | ${spec.doc.replace(/\|/g, '\\|')} |`;
  });
  return ['| code | HTTP status | retriable | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

describe('the error-code table', () => {
  it('gives every code one HTTP error status and a one-line doc', () => {
    for (const code of codes) {
      const spec = errorCodes[code];
      expect(code).toMatch(/^VANE_ERR_[A-Z_]+$/);
      expect([code, spec.status >= 400 && spec.status <= 599]).toEqual([code, true]);
      expect([code, spec.doc.length > 0 && !spec.doc.includes('\n')]).toEqual([code, true]);
      expect(httpStatusOf(code)).toBe(spec.status);
    }
    expect(httpStatusOf('VANE_ERR_KEY_REVOKED')).toBe(403);
  });

  it('is what the README lists (regenerate the block from this test on a difference)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const block = /<!-- error codes: begin[^>]*-->\n([\s\S]*?)\n<!-- error codes: end -->/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(readmeTable());
  });

  it('knows its own codes only', () => {
    expect(isVaneErrorCode('VANE_ERR_CONFIG')).toBe(true);
    expect(isVaneErrorCode('VANE_ERR_SOMETHING_ELSE')).toBe(false);
    expect(isVaneErrorCode('toString')).toBe(false);
    expect(isVaneErrorCode(undefined)).toBe(false);
  });

  it('makes errors retriable as the table says unless told otherwise, with field, details and Retry-After', () => {
    expect(new VaneError('VANE_ERR_KAFKA', 'down').retriable).toBe(true);
    expect(new VaneError('VANE_ERR_KAFKA', 'bad request', { retriable: false }).retriable).toBe(false);
    expect(new VaneError('VANE_ERR_VALIDATION', 'no').retriable).toBe(false);
    const cause = new Error('inner');
    const error = new VaneError('VANE_ERR_DAILY_LIMIT', 'used up', { field: 'querystring.key', details: { limit: 5 }, retryAfter: 60, cause });
    expect(error).toMatchObject({ code: 'VANE_ERR_DAILY_LIMIT', field: 'querystring.key', details: { limit: 5 }, retryAfter: 60, cause, retriable: true });
    expect(isVaneError(error)).toBe(true);
    expect(describeError(error)).toBe('VANE_ERR_DAILY_LIMIT: used up');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(Object.keys(new VaneError('VANE_ERR_CONFIG', 'x'))).not.toContain('field');
  });
});
