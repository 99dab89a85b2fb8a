import { createHmac } from 'node:crypto';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Sessions end after this long without activity; previousVisitorId is set this long after midnight. */
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

export interface VisitorIds {
  visitorId: string;
  /** Same visitor under yesterday's salt, only in the first SESSION_TIMEOUT_MS of a UTC day. */
  previousVisitorId: string | null;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Pseudonymous visitor ids (Plausible-style): hex HMAC-SHA-256 of
 * (site id, truncated IP, user agent) under a daily salt. The salt of a UTC
 * day is HMAC-SHA-256(secret, "vane-visitor-salt:" + YYYY-MM-DD): it rotates
 * at midnight UTC, needs no storage, and is the same on every gateway replica
 * sharing the secret. Yesterday's salt is still derived during the first half
 * hour of a day, so that a session running over midnight can be joined.
 */
export class VisitorHasher {
  private readonly salts = new Map<string, Buffer>();
  /** Recent ids (one HMAC per request is measurable at beacon rates); cleared when full. */
  private readonly recent = new Map<string, VisitorIds>();

  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('the visitor-id secret must have at least 16 characters');
  }

  salt(dayMs: number): Buffer {
    const day = utcDay(dayMs);
    let salt = this.salts.get(day);
    if (!salt) {
      salt = createHmac('sha256', this.secret).update(`vane-visitor-salt:${day}`).digest();
      if (this.salts.size > 8) this.salts.clear();
      this.salts.set(day, salt);
    }
    return salt;
  }

  hash(dayMs: number, siteId: string, truncatedIp: string, userAgent: string): string {
    return createHmac('sha256', this.salt(dayMs)).update(`${siteId}\u0000${truncatedIp}\u0000${userAgent}`).digest('hex');
  }

  /** Ids for an event at `atMs` (the time whose UTC day picks the salt). */
  ids(atMs: number, siteId: string, truncatedIp: string, userAgent: string): VisitorIds {
    const sinceMidnight = ((atMs % DAY_MS) + DAY_MS) % DAY_MS;
    const withPrevious = sinceMidnight < SESSION_TIMEOUT_MS;
    const cacheKey = `${Math.floor(atMs / DAY_MS)}${withPrevious ? 'p' : ''}\u0000${siteId}\u0000${truncatedIp}\u0000${userAgent}`;
    const cached = this.recent.get(cacheKey);
    if (cached) return cached;
    const ids: VisitorIds = {
      visitorId: this.hash(atMs, siteId, truncatedIp, userAgent),
      previousVisitorId: withPrevious ? this.hash(atMs - DAY_MS, siteId, truncatedIp, userAgent) : null,
    };
    if (this.recent.size >= 20_000) this.recent.clear();
    this.recent.set(cacheKey, ids);
    return ids;
  }
}
