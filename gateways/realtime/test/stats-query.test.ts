import { buildStatsSql, parseStatsQuery, quoteString, resolveDateRange, shapeStatsResponse, timeLabels } from '../src';

const NOW = Date.UTC(2026, 4, 14, 10, 30);
const base = { site_id: 'example.com', metrics: ['visitors'], date_range: '7d' };

function err(body: unknown): { code: string; message: string } {
  try {
    parseStatsQuery(body);
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('accepted');
}

describe('Stats API query validation', () => {
  it('accepts a full Plausible v2 query and fills defaults', () => {
    const q = parseStatsQuery({ ...base, metrics: ['visitors', 'bounce_rate'], dimensions: ['visit:country', 'time:day'], filters: [['is_not', 'visit:country', ['FR']]], order_by: [['visitors', 'desc']], include: { total_rows: true, time_labels: true } });
    expect(q).toMatchObject({ siteId: 'example.com', metrics: ['visitors', 'bounce_rate'], dimensions: ['visit:country', 'time:day'], include: { totalRows: true, timeLabels: true }, pagination: { limit: 10_000, offset: 0 } });
    expect(q.filters).toEqual([{ op: 'is_not', dimension: 'visit:country', clauses: ['FR'], caseSensitive: true }]);
  });

  it.each([
    [{ ...base, metrics: ['visitors', 'bounces'] }, '#/metrics/1: Unknown metric "bounces".'],
    [{ ...base, metrics: [] }, '#/metrics: expected a non-empty list'],
    [{ ...base, metrics: ['visitors', 'visitors'] }, 'cannot be queried multiple times'],
    [{ ...base, dimensions: ['visit:city', 'visit:planet'] }, '#/dimensions/1: Invalid dimension "visit:planet".'],
    [{ ...base, dimensions: ['time:day', 'time:hour'] }, 'Only one time dimension'],
    [{ ...base, filters: [['is', 'visit:name', ['x']]] }, '#/filters/0/1: Invalid filter dimension "visit:name"'],
    [{ ...base, filters: [['exists', 'event:page', ['x']]] }, '#/filters/0: Unknown operator for filter'],
    [{ ...base, filters: [['is', 'event:page', 'x']] }, '#/filters/0/2: Invalid filter'],
    [{ ...base, filters: [['and', [['is', 'time', ['x']]]]] }, '#/filters/0/1/0/1: Invalid filter dimension "time"'],
    [{ ...base, filters: [['matches', 'event:page', ['(']]] }, 'is not a valid regular expression'],
    [{ ...base, filters: [['is', 'visit:country', ['Germany']]] }, 'valid 2-letter country code'],
    [{ ...base, date_range: 'last week' }, '#/date_range: Invalid date_range "last week"'],
    [{ ...base, date_range: ['2026-05-01', '2026-05-01T10:00:00Z'] }, 'Invalid date_range'],
    [{ ...base, order_by: [['pageviews', 'desc']] }, 'Entry is not a queried metric or dimension'],
    [{ ...base, order_by: [['visitors', 'up']] }, 'Invalid order_by entry'],
    [{ ...base, include: { colors: true } }, '#/include/colors'],
    [{ ...base, include: { time_labels: true } }, 'requires a time dimension'],
    [{ ...base, pagination: { limit: 0 } }, '#/pagination/limit'],
    [{ ...base, metrics: ['bounce_rate'], dimensions: ['event:page'] }, 'Session metric(s) `bounce_rate` cannot be queried along with event dimension "event:page"'],
    [{ ...base, dimensions: ['visit:exit_page'], filters: [['is', 'event:page', ['/']]] }, 'visit:exit_page cannot be combined'],
    [{ ...base, colour: 1 }, '#/colour: Unknown query key'],
    [{ metrics: ['visitors'], date_range: 'day' }, '#/site_id'],
    ['visitors', 'must be a JSON object'],
  ])('refuses %j with a 400 naming the entry', (body, message) => {
    const e = err(body);
    expect(e.code).toBe('VANE_ERR_BAD_INPUT');
    expect(e.message).toContain(message);
  });
});

describe('date ranges (UTC days)', () => {
  const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
  it.each([
    ['day', '2026-05-14', '2026-05-15'],
    ['7d', '2026-05-07', '2026-05-14'],
    ['30d', '2026-04-14', '2026-05-14'],
    ['month', '2026-05-01', '2026-06-01'],
    ['6mo', '2025-11-01', '2026-05-01'],
    ['year', '2026-01-01', '2027-01-01'],
    ['all', '2026-03-02', '2026-05-15'],
  ])('%s', (range, from, to) => {
    const r = resolveDateRange(range, NOW, Date.UTC(2026, 2, 2, 15));
    expect([r.from, r.to]).toEqual([day(from), day(to)]);
  });

  it('takes [from, to] dates inclusively and date-times to the second', () => {
    expect(resolveDateRange(['2026-05-01', '2026-05-03'], NOW)).toMatchObject({ from: day('2026-05-01'), to: day('2026-05-04'), label: ['2026-05-01T00:00:00+00:00', '2026-05-03T23:59:59+00:00'] });
    const t = resolveDateRange(['2026-05-01T12:00:00+02:00', '2026-05-01T15:59:59+02:00'], NOW);
    expect([t.from, t.to]).toEqual([Date.UTC(2026, 4, 1, 10), Date.UTC(2026, 4, 1, 14)]);
    expect(() => resolveDateRange(['2026-05-03', '2026-05-01'], NOW)).toThrow(/start is after the end/);
  });

  it('lists time labels as the SQL formats them', () => {
    expect(timeLabels(resolveDateRange('day', NOW), 'hour')).toHaveLength(24);
    expect(timeLabels(resolveDateRange('day', NOW), 'hour')[1]).toBe('2026-05-14 01:00:00');
    expect(timeLabels(resolveDateRange('7d', NOW), 'day')).toEqual(['2026-05-07', '2026-05-08', '2026-05-09', '2026-05-10', '2026-05-11', '2026-05-12', '2026-05-13']);
    expect(timeLabels(resolveDateRange('month', NOW), 'week')[0]).toBe('2026-04-27');
    expect(timeLabels(resolveDateRange('year', NOW), 'month')).toHaveLength(12);
  });
});

describe('Stats SQL', () => {
  const site = { siteId: 'site-1' };
  const opts = { database: 'vane', now: NOW };

  it('answers visit-level queries from sessions, binding every client value', () => {
    const q = parseStatsQuery({ ...base, metrics: ['visits', 'bounce_rate'], dimensions: ['visit:source'], filters: [['is', 'visit:utm_campaign', ["spring'); DROP TABLE x; --"]]] });
    const plan = buildStatsSql(q, site, opts);
    expect(plan.mode).toBe('sessions');
    expect(plan.sql).toContain('FROM vane.sessions FINAL WHERE site_id = {p0:String} AND deleted = 0');
    expect(plan.sql).not.toContain('DROP TABLE');
    expect(Object.values(plan.params)).toContain("spring'); DROP TABLE x; --");
    expect(plan.inlineSql).toContain("'spring\\'); DROP TABLE x; --'");
    expect(plan.inlineSql).not.toMatch(/\{p\d+:/);
    expect(plan.sql).toMatch(/ORDER BY m_visits DESC, d0 ASC LIMIT \{p\d+:Int64\}, \{p\d+:Int64\}$/);
  });

  it('answers event-level queries from events, and joins session metrics over matching sessions', () => {
    const events = buildStatsSql(parseStatsQuery({ ...base, metrics: ['visitors', 'pageviews'], dimensions: ['event:page'] }), site, opts);
    expect(events.mode).toBe('events');
    expect(events.sql).toContain("FROM vane.events FINAL WHERE site_id = {p0:String} AND timestamp >= toDateTime({p1:Int64}) AND timestamp < toDateTime({p2:Int64}) AND kind IN ('pageview', 'event')");
    expect(events.params).toMatchObject({ p0: 'site-1', p1: Date.UTC(2026, 4, 7) / 1000, p2: Date.UTC(2026, 4, 14) / 1000 });
    const joined = buildStatsSql(parseStatsQuery({ ...base, metrics: ['visitors', 'bounce_rate'], filters: [['contains', 'event:page', ['/blog'], { case_sensitive: false }]] }), site, opts);
    expect(joined.sql).toContain('AS e ANY LEFT JOIN (');
    expect(joined.sql).toContain('session_id IN (SELECT session_id FROM vane.events FINAL WHERE');
    expect(joined.sql).toContain("position(lower(if(pathname = '', '(not set)', pathname)), lower({p");
  });

  it('orders by the time dimension first by default, and counts rows when asked', () => {
    const plan = buildStatsSql(parseStatsQuery({ ...base, dimensions: ['time', 'visit:country'], include: { total_rows: true } }), site, opts);
    expect(plan.timeBucket).toBe('day');
    expect(plan.orderBy).toEqual([['time', 'asc'], ['visitors', 'desc']]);
    expect(plan.sql).toContain('toString(toDate(start_time)) AS d0');
    expect(plan.sql).toContain('ORDER BY d0 ASC, m_visitors DESC, d1 ASC');
    expect(plan.countSql).toMatch(/^SELECT count\(\) AS total_rows FROM \(/);
  });

  it('refuses identifiers that are not plain names', () => {
    expect(() => buildStatsSql(parseStatsQuery(base), site, { database: 'x; DROP', now: NOW })).toThrow(expect.objectContaining({ code: 'VANE_ERR_BAD_INPUT' }));
  });

  it('quotes strings for ClickHouse literals', () => {
    expect(quoteString("a'b\\c\n")).toBe("'a\\'b\\\\c\\x0a'");
  });
});

describe('Stats response', () => {
  it('shapes rows into results, meta and the executed query', () => {
    const q = parseStatsQuery({ ...base, metrics: ['visitors', 'views_per_visit'], date_range: 'day', dimensions: ['time:hour'], include: { time_labels: true, total_rows: true } });
    const plan = buildStatsSql(q, { siteId: 'site-1' }, { database: 'vane', now: NOW });
    const res = shapeStatsResponse(q, plan, [{ d0: '2026-05-14 09:00:00', m_visitors: '12', m_views_per_visit: 1.5 }], 1);
    expect(res.results).toEqual([{ metrics: [12, 1.5], dimensions: ['2026-05-14 09:00:00'] }]);
    expect(res.meta.total_rows).toBe(1);
    expect(res.meta.time_labels).toHaveLength(24);
    expect(res.query).toEqual({
      site_id: 'example.com',
      metrics: ['visitors', 'views_per_visit'],
      date_range: ['2026-05-14T00:00:00+00:00', '2026-05-14T23:59:59+00:00'],
      dimensions: ['time:hour'],
      filters: [],
      order_by: [['time:hour', 'asc'], ['visitors', 'desc']],
      include: { time_labels: true, total_rows: true },
      pagination: { limit: 10_000, offset: 0 },
    });
  });
});
