import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';
import type { UserAgent } from '@vane/schemas';

/**
 * User-Agent parsing (ua-parser-js 1.x, MIT) with bot detection (isbot).
 * Results are cached by header value: a few agents account for most traffic.
 */
const CACHE_SIZE = 5_000;
const MAX_LENGTH = 512;
const cache = new Map<string, UserAgent>();

function deviceClass(ua: string, type: string | undefined): string {
  if (isbot(ua)) return 'bot';
  switch (type) {
    case undefined:
      return 'desktop';
    case 'mobile':
    case 'wearable':
      return 'mobile';
    case 'tablet':
      return 'tablet';
    case 'smarttv':
      return 'tv';
    default:
      return 'other';
  }
}

/** The parsed agent; null for an absent or "-" header. Over-long headers are cut to 512 characters. */
export function parseUserAgent(header: string | undefined | null): UserAgent | null {
  if (!header || header === '-') return null;
  const raw = header.length > MAX_LENGTH ? header.slice(0, MAX_LENGTH) : header;
  const cached = cache.get(raw);
  if (cached) return { ...cached };
  const result = new UAParser(raw).getResult();
  const parsed: UserAgent = {
    raw,
    family: result.browser.name ?? null,
    os: result.os.name ?? null,
    deviceClass: deviceClass(raw, result.device.type),
  };
  if (parsed.family === null && /^curl\//i.test(raw)) parsed.family = 'curl';
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(raw, parsed);
  return { ...parsed };
}
