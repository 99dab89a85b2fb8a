import type { VaneErrorCode } from '@vane/core';

/**
 * Parsers for web-server access-log lines.
 *
 * Formats (the `format` of an upload):
 * - "nginx_combined": `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`
 *   (nginx escapes `"`, `\` and bytes outside 0x20-0x7E as `\xHH`);
 * - "apache_combined": `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"` (escapes `\"`, `\\`, `\xhh`, `\n`, `\t`);
 * - "apache_common": `%h %l %u %t "%r" %>s %b`.
 * Fields after the last one of the format (e.g. `"$http_x_forwarded_for"`) are ignored.
 */
export const logFormats = ['nginx_combined', 'apache_combined', 'apache_common'] as const;
export type LogFormat = (typeof logFormats)[number];

export interface ParsedLogLine {
  remoteAddr: string;
  time: number;
  method: string;
  path: string;
  query: string | null;
  protocol: string;
  status: number;
  bytes: number;
  referrer: string | null;
  userAgent: string | null;
}

export interface RejectedLogLine {
  reason: VaneErrorCode;
}

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const COMMON = `^(\\S+) \\S+ (?:\\S+|".*?") \\[([^\\]]+)\\] ${QUOTED} (\\d{3}) (\\d+|-)`;
const COMMON_RE = new RegExp(`${COMMON}(?:\\s|$)`);
const COMBINED_RE = new RegExp(`${COMMON} ${QUOTED} ${QUOTED}(?:\\s|$)`);

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const TIME_RE = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const REQUEST_RE = /^([A-Z][A-Z0-9_-]{0,19}) (\S+) (HTTP\/\d(?:\.\d)?)$/;

/** `10/Oct/2000:13:55:36 -0700` → epoch milliseconds; null when malformed. */
export function parseLogTime(text: string): number | null {
  const m = TIME_RE.exec(text);
  if (!m) return null;
  const month = MONTHS[m[2]!];
  if (month === undefined) return null;
  const local = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offset = (Number(m[8]) * 60 + Number(m[9])) * 60_000 * (m[7] === '-' ? -1 : 1);
  const ms = local - offset;
  return Number.isFinite(ms) ? ms : null;
}

const SIMPLE_ESCAPES: Record<string, number> = { '"': 0x22, '\\': 0x5c, n: 0x0a, t: 0x09, r: 0x0d };

/** Undoes nginx/Apache escaping; `\xHH` sequences are bytes of UTF-8 text. */
export function unescapeLogField(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
        bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
        i += 3;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      if (simple !== undefined) {
        bytes.push(simple);
        i += 1;
        continue;
      }
    }
    for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function optional(field: string | undefined): string | null {
  if (field === undefined || field === '' || field === '-') return null;
  return unescapeLogField(field);
}

/** Parses one line; a rejected line says why with a stable reason code. */
export function parseLogLine(line: string, format: LogFormat): ParsedLogLine | RejectedLogLine {
  const m = (format === 'apache_common' ? COMMON_RE : COMBINED_RE).exec(line);
  if (!m) return { reason: 'VANE_ERR_LOG_UNPARSABLE' };
  const time = parseLogTime(m[2]!);
  if (time === null) return { reason: 'VANE_ERR_LOG_BAD_TIME' };
  const request = REQUEST_RE.exec(unescapeLogField(m[3]!));
  if (!request) return { reason: 'VANE_ERR_LOG_BAD_REQUEST_LINE' };
  let target = request[2]!;
  if (/^https?:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      target = `${url.pathname}${url.search}`;
    } catch {
      return { reason: 'VANE_ERR_LOG_BAD_REQUEST_LINE' };
    }
  }
  if (!target.startsWith('/') && target !== '*') return { reason: 'VANE_ERR_LOG_BAD_REQUEST_LINE' };
  const q = target.indexOf('?');
  return {
    remoteAddr: m[1]!,
    time,
    method: request[1]!,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 || q === target.length - 1 ? null : target.slice(q + 1),
    protocol: request[3]!,
    status: Number(m[4]),
    bytes: m[5] === '-' ? 0 : Number(m[5]),
    referrer: format === 'apache_common' ? null : optional(m[6]),
    userAgent: format === 'apache_common' ? null : optional(m[7]),
  };
}

export function isRejected(result: ParsedLogLine | RejectedLogLine): result is RejectedLogLine {
  return (result as RejectedLogLine).reason !== undefined;
}
