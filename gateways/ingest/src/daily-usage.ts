/**
 * Requests per key per UTC day, counted in memory by each gateway replica
 * (exported on /metrics as vane_ingest_key_requests, labelled by site, key
 * prefix and day). Only today and yesterday are kept.
 */
export interface UsageRow {
  day: string;
  keyId: string;
  siteId: string;
  keyPrefix: string;
  requests: number;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export class DailyUsage {
  private readonly rows = new Map<string, UsageRow>();
  private today = '';
  private todayStart = 0;
  private todayEnd = 0;

  /** Counts one request and returns the key's count for the day so far. */
  count(now: number, key: { entityId: string; siteId: string; keyPrefix: string }): number {
    if (now < this.todayStart || now >= this.todayEnd) this.rollOver(now);
    const day = this.today;
    const id = `${day}|${key.entityId}`;
    let row = this.rows.get(id);
    if (!row) {
      row = { day, keyId: key.entityId, siteId: key.siteId, keyPrefix: key.keyPrefix, requests: 0 };
      this.rows.set(id, row);
    }
    return ++row.requests;
  }

  private rollOver(now: number): void {
    const day = utcDay(now);
    this.todayStart = Math.floor(now / 86_400_000) * 86_400_000;
    this.todayEnd = this.todayStart + 86_400_000;
    if (day !== this.today) {
      const yesterday = utcDay(now - 86_400_000);
      for (const [id, row] of this.rows) if (row.day !== day && row.day !== yesterday) this.rows.delete(id);
      this.today = day;
    }
  }

  snapshot(): UsageRow[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }
}

/** Seconds until the next UTC midnight (Retry-After of a daily limit). */
export function secondsToUtcMidnight(now: number): number {
  const next = Math.floor(now / 86_400_000 + 1) * 86_400_000;
  return Math.max(1, Math.ceil((next - now) / 1000));
}
