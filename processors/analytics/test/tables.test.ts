import {
  analyticsTableNames,
  clickhouseTables,
  dropCountMinuteRows,
  droppedEventRow,
  eventRow,
  foldEvent,
  fromBeacon,
  memoryMinutes,
  memorySessionStore,
  minuteFromBytes,
  minuteKey,
  minutesEqual,
  scyllaMinuteRow,
  scyllaTables,
  sessionChangeRows,
  sessionize,
  siteMinuteRow,
  type SessionOutcome,
} from '../src';
import { beacon, ev, MIN, origin, site, T0 } from './fixtures';

/** Column names of a CREATE TABLE statement, in order. */
function columns(table: string, engine: 'clickhouse' | 'scylla' = 'clickhouse'): string[] {
  const def = (engine === 'clickhouse' ? clickhouseTables : scyllaTables).find((t) => t.table === table)!;
  const body = def.ddl[0]!.slice(def.ddl[0]!.indexOf('(') + 1);
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[a-z_0-9]+ [A-Za-z]/.test(l) && !l.startsWith('PRIMARY'))
    .map((l) => l.split(' ')[0]!);
}

describe('analytics tables', () => {
  it('uses only types ClickHouse 18.16 has, and keys every table for idempotent replays', () => {
    for (const t of clickhouseTables) {
      const ddl = t.ddl.join('\n');
      expect(ddl).toMatch(/CREATE TABLE IF NOT EXISTS \{database\}\.\{table\}/);
      expect(ddl).toMatch(/ENGINE = ReplacingMergeTree/);
      expect(ddl).not.toMatch(/DateTime64|LowCardinality|Map\(|TTL|JSON/);
      const orderBy = /ORDER BY \(([^)]*)\)/.exec(ddl)![1]!;
      for (const col of orderBy.split(',').map((c) => c.trim())) expect(ddl).not.toMatch(new RegExp(`\\b${col} Nullable`));
    }
    expect(clickhouseTables.find((t) => t.table === 'events')!.ddl[0]).toMatch(/ORDER BY \(site_id, timestamp, source_topic, source_partition, source_offset\)/);
    expect(clickhouseTables.find((t) => t.table === 'sessions')!.ddl[0]).toMatch(/ReplacingMergeTree\(version\)[\s\S]*ORDER BY \(site_id, session_id\)/);
  });

  it('builds rows whose fields are exactly the table columns', () => {
    const store = memorySessionStore();
    const models = memoryMinutes();
    const c = fromBeacon(beacon({ eventTime: T0 + 5_000, url: 'https://example.com/a?utm_medium=mail', referrer: null }), origin(11), site);
    if (!c.ok) throw new Error(c.drop.detail);
    const outcome: SessionOutcome = sessionize(store, c.event);
    foldEvent(models.lookup, c.event, outcome);
    if (outcome.status !== 'sessionized') throw new Error(outcome.status);
    const session = outcome.changes[0]!.after!;
    const row = eventRow(c.event, session);
    expect(Object.keys(row)).toEqual(columns(analyticsTableNames.events));
    expect(row).toMatchObject({ timestamp: Math.floor((T0 + 5_000) / 1000), event_ms: T0 + 5_000, kind: 'pageview', name: 'pageview', session_id: session.sessionId, v_entry_page: '/pricing', v_utm_medium: 'mail', query: 'utm_medium=mail', source_offset: '11' });
    const sessionRows = sessionChangeRows(outcome.changes[0]!);
    expect(Object.keys(sessionRows[0]!)).toEqual(columns(analyticsTableNames.sessions));
    expect(sessionRows[0]).toMatchObject({ deleted: 0, version: 1, is_bounce: 1, pageviews: 1 });
    expect(sessionChangeRows({ before: session, after: null })[0]).toMatchObject({ deleted: 1, version: 2 });
    const m = models.minutes.get(minuteKey('site-1', T0))!;
    expect(Object.keys(siteMinuteRow(m))).toEqual(columns(analyticsTableNames.siteMinutes));
    expect(siteMinuteRow(m)).toMatchObject({ pageviews: 1, visitors: 1, sessions: 1, pages_keys: ['/pricing'], pages_counts: [1], version: 1 });
    const d = fromBeacon(beacon({ type: 'click' }), origin(12), site);
    if (d.ok) throw new Error('accepted');
    expect(Object.keys(droppedEventRow(d.drop))).toEqual(columns(analyticsTableNames.droppedEvents));
    m.drops['browser:unknown_type'] = 1;
    expect(dropCountMinuteRows(m)).toEqual([{ site_id: 'site-1', minute: T0 / 1000, source: 'browser', reason: 'unknown_type', count: 1, version: 1 }]);
    expect(Object.keys(dropCountMinuteRows(m)[0]!)).toEqual(columns(analyticsTableNames.dropCounts));
    const scylla = scyllaMinuteRow(m);
    expect(Object.keys(scylla.values)).toEqual(columns(analyticsTableNames.siteMinutes, 'scylla'));
    expect(scylla.values.day).toBe('2026-05-12');
    expect(minutesEqual(minuteFromBytes(scylla.values.model), m)).toBe(true);
  });

  it('fills visit columns from the event itself when it is in no session', () => {
    const row = eventRow(ev({ t: T0 + MIN, kind: 'vital', vitals: [{ name: 'FCP', value: 300 }], referrerSource: 'hn' }), null);
    expect(row).toMatchObject({ session_id: '', v_source: 'hn', v_entry_page: '', vital_names: ['FCP'], vital_values: [300], name: '' });
  });
});
