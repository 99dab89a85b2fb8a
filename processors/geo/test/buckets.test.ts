import type { Download } from '@vane/schemas';
import {
  addGeoEvent,
  clickhouseTables,
  emptyGeoMinute,
  geoEventOf,
  geoMinuteFromJson,
  geoMinuteRows,
  geoMinuteToJson,
  glowHourDocument,
  glowMinuteDocument,
  mergeGeoMinutes,
  mergeGeoRange,
  minuteOf,
  parseMinute,
  scyllaGeoMinuteRow,
  UNKNOWN,
  type GeoEvent,
  type GeoMinute,
} from '../src';

const T0 = Date.UTC(2026, 4, 12, 10, 0, 0);
const MIN = 60_000;
let n = 0;

function download(over: Partial<Download> & { country?: string | null; region?: string | null; continent?: string | null } = {}): Download {
  const { country = 'DE', region = 'DE-BE', continent = 'EU', ...rest } = over;
  n++;
  return {
    eventId: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    receivedAt: T0,
    eventTime: T0,
    type: 'download',
    product: 'firefox',
    version: '128.0',
    siteId: 'site-1',
    network: { truncatedIp: '203.0.113.0/24', country, continent, region, asn: null, asnOrg: null },
    ...rest,
  };
}

function event(d: Download): GeoEvent {
  const r = geoEventOf(d);
  if (!r.ok) throw new Error(r.drop.detail);
  return r.event;
}

/** Buckets of a list of downloads, one per minute. */
function fold(downloads: Download[]): Map<number, GeoMinute> {
  const out = new Map<number, GeoMinute>();
  for (const d of downloads) {
    const e = event(d);
    const m = minuteOf(e.timestamp);
    if (!out.has(m)) out.set(m, emptyGeoMinute(e.siteId, m));
    addGeoEvent(out.get(m)!, e);
  }
  return out;
}

describe('geo buckets', () => {
  it('counts each event once at every level, unknown places included, so every level sums to the total', () => {
    const m = fold([
      download(),
      download({ region: 'DE-BY' }),
      download({ type: 'share', country: 'FR', region: 'FR-IDF' }),
      download({ country: 'US', continent: 'NA', region: 'US-CA' }),
      download({ country: null, continent: null, region: null }),
      download({ country: 'DE', region: 'FR-IDF' }),
    ]).get(T0)!;
    expect(m.total).toEqual({ download: 5, share: 1 });
    expect(m.continents).toEqual({ EU: { download: 3, share: 1 }, NA: { download: 1, share: 0 }, [UNKNOWN]: { download: 1, share: 0 } });
    expect(m.countries).toEqual({ DE: { download: 3, share: 0 }, FR: { download: 0, share: 1 }, US: { download: 1, share: 0 }, [UNKNOWN]: { download: 1, share: 0 } });
    expect(m.regions).toEqual({ 'DE-BE': { download: 1, share: 0 }, 'DE-BY': { download: 1, share: 0 }, 'FR-IDF': { download: 0, share: 1 }, 'US-CA': { download: 1, share: 0 }, [UNKNOWN]: { download: 2, share: 0 } });
    const sum = (map: Record<string, { download: number; share: number }>) => Object.values(map).reduce((a, c) => a + c.download + c.share, 0);
    for (const level of [m.continents, m.countries, m.regions, m.products]) expect(sum(level)).toBe(6);
  });

  it('buckets by event time per minute, with receivedAt for implausible clocks', () => {
    const buckets = fold([download({ eventTime: T0 + 59_999 }), download({ eventTime: T0 + MIN }), download({ eventTime: T0 + 10 * MIN }), download({ eventTime: T0 - 2 * 86_400_000 })]);
    expect([...buckets.keys()].sort()).toEqual([T0, T0 + MIN]);
    expect(buckets.get(T0)!.total.download).toBe(3);
  });

  it('drops invalid records and unknown types by name', () => {
    expect(geoEventOf(download({ type: 'install' }))).toMatchObject({ ok: false, drop: { reason: 'unknown_type', siteId: 'site-1', timestamp: T0 } });
    expect(geoEventOf(download({ product: '' }))).toMatchObject({ ok: false, drop: { reason: 'invalid', detail: 'product is empty' } });
    expect(geoEventOf(download({ eventId: '' }))).toMatchObject({ ok: false, drop: { reason: 'invalid' } });
  });

  it('refuses to count an event in another minute', () => {
    expect(() => addGeoEvent(emptyGeoMinute('site-1', T0), event(download({ eventTime: T0 + MIN })))).toThrow(expect.objectContaining({ code: 'VANE_ERR_BAD_INPUT' }));
  });

  it('merges minutes by addition: any order, same hour; an hour equals counting all at once', () => {
    const downloads = Array.from({ length: 300 }, (_, i) => download({ eventTime: T0 + (i % 60) * MIN + i, type: i % 7 === 0 ? 'share' : 'download', country: ['DE', 'FR', 'US'][i % 3]!, region: null, continent: i % 3 === 2 ? 'NA' : 'EU' }));
    const minutes = [...fold(downloads).values()];
    const forward = mergeGeoRange('site-1', minutes);
    const backward = mergeGeoRange('site-1', [...minutes].reverse());
    expect(geoMinuteToJson(forward)).toBe(geoMinuteToJson(backward));
    expect(forward.total.download + forward.total.share).toBe(300);
    expect(forward.countries.DE!.download + forward.countries.DE!.share).toBe(100);
    expect(forward.folds).toBe(300);
    const twice = mergeGeoMinutes(mergeGeoRange('site-1', minutes), forward);
    expect(twice.total.download).toBe(2 * forward.total.download);
  });

  it('round-trips the deterministic JSON and rejects malformed documents', () => {
    const m = fold([download(), download({ type: 'share', country: 'FR', region: 'FR-IDF' })]).get(T0)!;
    const text = geoMinuteToJson(m);
    expect(geoMinuteToJson(geoMinuteFromJson(text))).toBe(text);
    expect(() => geoMinuteFromJson('{')).toThrow(expect.objectContaining({ code: 'VANE_ERR_DECODE' }));
    expect(() => geoMinuteFromJson(JSON.stringify({ ...JSON.parse(text), total: { download: -1, share: 0 } }))).toThrow(/not a geo minute/);
  });
});

describe('Glow documents', () => {
  it('documents a minute with places sorted by count', () => {
    const m = fold([download(), download(), download({ country: 'FR', region: 'FR-IDF', type: 'share' })]).get(T0)!;
    const doc = glowMinuteDocument('site-1', T0 + 30_000, m);
    expect(doc).toMatchObject({
      kind: 'minute',
      from: '2026-05-12T10:00:00.000Z',
      to: '2026-05-12T10:01:00.000Z',
      total: { download: 2, share: 1, all: 3 },
      countries: [
        { code: 'DE', counts: { download: 2, share: 0, all: 2 } },
        { code: 'FR', counts: { download: 0, share: 1, all: 1 } },
      ],
      continents: [{ code: 'EU', counts: { all: 3 } }],
    });
    expect(glowMinuteDocument('site-1', T0 - 7 * MIN, undefined)).toMatchObject({ from: '2026-05-12T09:53:00.000Z', total: { all: 0 }, countries: [] });
  });

  it('rolls the last hour: 60 minutes ending with the current one, zeros filled, older minutes ignored', () => {
    const downloads = [download({ eventTime: T0 - 60 * MIN }), download({ eventTime: T0 - 59 * MIN }), download({ eventTime: T0 - 30 * MIN }), download({ eventTime: T0 }), download({ eventTime: T0 + 30_000 })];
    const minutes = [...fold(downloads).values()];
    const doc = glowHourDocument('site-1', T0 + 45_000, minutes);
    expect(doc.from).toBe('2026-05-12T09:01:00.000Z');
    expect(doc.to).toBe('2026-05-12T10:01:00.000Z');
    expect(doc.total.all).toBe(4);
    expect(doc.series).toHaveLength(60);
    expect(doc.series![0]).toEqual({ minute: '2026-05-12T09:01:00.000Z', counts: { download: 1, share: 0, all: 1 } });
    expect(doc.series![59]).toEqual({ minute: '2026-05-12T10:00:00.000Z', counts: { download: 2, share: 0, all: 2 } });
    expect(doc.series!.reduce((a, s) => a + s.counts.all, 0)).toBe(4);
    expect(glowHourDocument('other-site', T0, minutes).total.all).toBe(0);
  });

  it('parses the minute a request names, or refuses it with VANE_ERR_BAD_INPUT', () => {
    expect(parseMinute('2026-05-12T10:04Z')).toBe(T0 + 4 * MIN);
    expect(parseMinute('2026-05-12T12:04:30.500+02:00')).toBe(T0 + 4 * MIN);
    expect(parseMinute(String(T0 + 4 * MIN + 999))).toBe(T0 + 4 * MIN);
    for (const bad of ['yesterday', '2026-05-12', '2026-05-12T10:04', '']) expect(() => parseMinute(bad)).toThrow(expect.objectContaining({ code: 'VANE_ERR_BAD_INPUT' }));
  });
});

describe('geo tables', () => {
  it('keys rows for idempotent replays and writes one row per level, code and type', () => {
    for (const t of clickhouseTables) expect(t.ddl[0]).toMatch(/ReplacingMergeTree/);
    const m = fold([download(), download({ type: 'share' })]).get(T0)!;
    const rows = geoMinuteRows(m);
    expect(rows).toEqual(
      expect.arrayContaining([
        { site_id: 'site-1', minute: T0 / 1000, level: 'total', code: '', type: 'download', count: 1, version: 2 },
        { site_id: 'site-1', minute: T0 / 1000, level: 'region', code: 'DE-BE', type: 'share', count: 1, version: 2 },
      ]),
    );
    expect(rows).toHaveLength(8);
    expect(scyllaGeoMinuteRow(m)).toMatchObject({ values: { day: '2026-05-12', downloads: 1, shares: 1, folds: 2 }, writeTimestamp: 2 });
  });
});
