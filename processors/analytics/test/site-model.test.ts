import { avroType, invalidPaths, schemaFiles } from '@vane/schemas';
import {
  COUNTER_LIMIT,
  DIRECT_SOURCE,
  emptyMinute,
  figures,
  foldDrop,
  foldEvent,
  fromBeacon,
  memoryMinutes,
  memorySessionStore,
  mergeMinutes,
  mergeRange,
  minuteFromBytes,
  minuteKey,
  minutesEqual,
  minuteToBytes,
  OTHER_KEY,
  sessionize,
  toSiteMinuteRecord,
  type SiteMinuteModel,
  type UnifiedEvent,
} from '../src';
import { beacon, ev, MIN, origin, site, T0 } from './fixtures';

function fold(events: UnifiedEvent[]) {
  const store = memorySessionStore();
  const models = memoryMinutes();
  for (const e of events) foldEvent(models.lookup, e, sessionize(store, e));
  return { store, models };
}

function minute(models: ReturnType<typeof memoryMinutes>, t: number): SiteMinuteModel {
  return models.minutes.get(minuteKey('site-1', t))!;
}

describe('site model', () => {
  it('folds pageviews, visitors, sessions, bounces, duration, pages and visit attributes', () => {
    const { models } = fold([
      ev({ t: T0, visitorId: 'a', path: '/', referrerSource: 'news', country: 'DE' }),
      ev({ t: T0 + 10_000, visitorId: 'a', path: '/pricing' }),
      ev({ t: T0 + 20_000, visitorId: 'b', path: '/', country: 'FR', device: 'Mobile', browser: 'Safari', os: 'iOS' }),
      ev({ t: T0 + 30_000, visitorId: 'b', kind: 'vital', vitals: [{ name: 'LCP', value: 1000 }, { name: 'CLS', value: 0.1 }] }),
      ev({ t: T0 + 40_000, visitorId: 'c', kind: 'event', eventName: 'signup', path: '/signup' }),
    ]);
    const f = figures(minute(models, T0));
    expect(f).toMatchObject({
      pageviews: 3,
      events: 4,
      visitors: 3,
      visits: 3,
      bounces: 1,
      bounceRate: 33,
      visitDuration: 3,
      viewsPerVisit: 1,
      topPages: [{ key: '/', count: 2 }, { key: '/pricing', count: 1 }],
      entryPages: [{ key: '/', count: 2 }, { key: '/signup', count: 1 }],
      exitPages: [{ key: '/', count: 1 }, { key: '/pricing', count: 1 }, { key: '/signup', count: 1 }],
      sources: [{ key: DIRECT_SOURCE, count: 2 }, { key: 'news', count: 1 }],
      countries: [{ key: 'DE', count: 2 }, { key: 'FR', count: 1 }],
      devices: [{ key: 'Desktop', count: 2 }, { key: 'Mobile', count: 1 }],
    });
    expect(f.vitalsP75.LCP).toBeGreaterThanOrEqual(990);
    expect(f.vitalsP75.LCP).toBeLessThanOrEqual(1010);
    expect(f.vitalsP75.CLS).toBeCloseTo(0.1, 2);
    expect(f.vitalsP75.INP).toBeNull();
  });

  it('keeps a session in the minute it started, and moves it when an earlier event arrives', () => {
    const { models } = fold([ev({ t: T0 + 5 * MIN, path: '/b', receivedAt: T0 + 5 * MIN }), ev({ t: T0, path: '/a', receivedAt: T0 + 6 * MIN })]);
    const first = minute(models, T0);
    const later = minute(models, T0 + 5 * MIN);
    expect([first.sessions, later.sessions]).toEqual([1, 0]);
    expect([first.pageviews, later.pageviews]).toEqual([1, 1]);
    expect(figures(first)).toMatchObject({ entryPages: [{ key: '/a', count: 1 }], exitPages: [{ key: '/b', count: 1 }], visitDuration: 300, bounces: 0 });
    expect(figures(later)).toMatchObject({ entryPages: [], exitPages: [], bounces: 0 });
  });

  it('sums of minutes are the range: merged sessions and pageviews are exact, visitors a sketch union', () => {
    const events: UnifiedEvent[] = [];
    for (let v = 0; v < 40; v++) for (let k = 0; k < 5; k++) events.push(ev({ t: T0 + v * 97_000 + k * 7 * MIN, visitorId: `v${v}`, path: `/p${(v + k) % 7}`, receivedAt: T0 }));
    const { store, models } = fold(events);
    const all = [...models.minutes.values()];
    const range = mergeRange('site-1', all);
    const reversed = mergeRange('site-1', [...all].reverse());
    expect(minutesEqual(range, reversed)).toBe(true);
    const f = figures(range);
    expect(f.pageviews).toBe(200);
    expect(f.visitors).toBe(40);
    let sessions = 0;
    for (let v = 0; v < 40; v++) {
      for (const [, value] of store.entries()) if (value.kind === 'visitor' && value.visitorId === `v${v}`) sessions += value.sessions.length;
    }
    expect(f.visits).toBe(sessions);
    expect(range.sessionPageviews).toBe(200);
    expect(f.topPages.reduce((n, p) => n + p.count, 0)).toBe(200);
  });

  it('counts drops by source and reason in the minute of the record', () => {
    const models = memoryMinutes();
    const c = fromBeacon(beacon({ userAgent: null }), origin(3), site);
    expect(c.ok).toBe(false);
    if (!c.ok) foldDrop(models.lookup, c.drop);
    const e = ev({ t: T0 });
    const store = memorySessionStore();
    foldEvent(models.lookup, e, sessionize(store, e));
    foldEvent(models.lookup, e, sessionize(store, e));
    const m = minute(models, T0);
    expect(figures(m).drops).toEqual([
      { source: 'browser', reason: 'bot_no_user_agent', count: 1 },
      { source: 'browser', reason: 'duplicate', count: 1 },
    ]);
    expect(m.pageviews).toBe(1);
    expect(m.folds).toBe(3);
  });

  it('round-trips through bytes exactly and deterministically', () => {
    const { models } = fold([
      ev({ t: T0, path: '/x', referrerSource: 'hn' }),
      ev({ t: T0 + 1000, kind: 'vital', vitals: [{ name: 'TTFB', value: 210 }, { name: 'INP', value: 80 }] }),
      ev({ t: T0 + 2000, visitorId: 'v-2', kind: 'event', eventName: 'buy' }),
    ]);
    const m = minute(models, T0);
    m.drops['serverlog:static_asset'] = 12;
    const back = minuteFromBytes(minuteToBytes(m));
    expect(minutesEqual(back, m)).toBe(true);
    expect(figures(back)).toEqual(figures(m));
    expect(() => minuteFromBytes(minuteToBytes(m).slice(0, 20))).toThrow(expect.objectContaining({ code: 'VANE_ERR_DECODE' }));
  });

  it('maps a minute to a valid models.sites.v1 record', () => {
    const events: UnifiedEvent[] = [];
    for (let i = 0; i < 30; i++) events.push(ev({ t: T0 + i * 1000, visitorId: `v${i % 12}`, path: `/p${i % 13}` }));
    events.push(ev({ t: T0, kind: 'vital', vitals: [{ name: 'LCP', value: 2500 }] }));
    const record = toSiteMinuteRecord(minute(fold(events).models, T0));
    expect(invalidPaths(avroType(schemaFiles['models.sites.v1']), record)).toEqual([]);
    expect(record).toMatchObject({ siteId: 'site-1', windowStart: T0, pageviews: 30, visitors: 12, modelVersion: 'v1' });
    expect(record.topPaths).toHaveLength(10);
    expect(record.topPaths.slice(0, 4)).toEqual([
      { path: '/p0', count: 3 },
      { path: '/p1', count: 3 },
      { path: '/p2', count: 3 },
      { path: '/p3', count: 3 },
    ]);
    expect(record.vitalsP75.lcp).toBeGreaterThan(2470);
    expect(record.vitalsP75.fcp).toBeNull();
  });

  it('caps counters at the limit, folding the smallest into (other) without losing totals', () => {
    const m = emptyMinute('site-1', T0);
    const other = emptyMinute('site-1', T0);
    const events = Array.from({ length: COUNTER_LIMIT + 50 }, (_, i) => ev({ t: T0, path: `/page/${i}` }));
    const store = memorySessionStore();
    const models = memoryMinutes();
    for (const e of events) foldEvent(models.lookup, e, sessionize(store, e));
    const folded = minute(models, T0);
    expect(Object.keys(folded.pages)).toHaveLength(COUNTER_LIMIT);
    expect(folded.pages[OTHER_KEY]).toBeGreaterThan(0);
    expect(Object.values(folded.pages).reduce((a, b) => a + b, 0)).toBe(COUNTER_LIMIT + 50);
    mergeMinutes(m, folded);
    mergeMinutes(m, other);
    expect(Object.values(m.pages).reduce((a, b) => a + b, 0)).toBe(COUNTER_LIMIT + 50);
  });
});
