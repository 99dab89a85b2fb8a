import type { Drop } from './drops';
import { dropCountRows } from './drops';
import type { SessionSummary, VisitAttributes } from './sessionizer';
import { figures, minuteToBytes, type SiteMinuteModel } from './site-model';
import type { UnifiedEvent } from './unified-event';

/**
 * The analytics tables and the rows written to them.
 *
 * ClickHouse (what analysts and the Stats API query). All DDL runs on
 * ClickHouse 18.16 and on current releases: DateTime('UTC') only, no
 * DateTime64/Map/LowCardinality/TTL, no Nullable in sorting keys. Every table
 * is a ReplacingMergeTree keyed so that writing the same input twice (a
 * retried batch, a replay) collapses into one row at merge time — read with
 * FINAL, or argMax(…, version), for exact answers before merges happen:
 * - `events`: one row per accepted record, keyed by the record's source
 *   topic/partition/offset (and its site and time, which a record fixes).
 *   Visit columns (`v_*`) carry the event's session attributes as known
 *   when it was processed, so event metrics filter by visit dimensions
 *   without a join (as Plausible's events table does).
 * - `sessions`: one row per session version, ReplacingMergeTree(version)
 *   keyed by (site_id, session_id); a session merged into another gets a
 *   last row with deleted = 1. Partitioned by the month of `opened_time`,
 *   which never changes for a session (its start may move earlier).
 * - `site_minutes`: the per-minute rollup, ReplacingMergeTree(version) keyed
 *   by (site_id, minute); version = the minute's fold count, so the latest
 *   totals win and a replay ends on the same row.
 * - `drop_counts_minute`: drops per site, minute, source and reason, the
 *   same way (version = the minute's fold count).
 * - `dropped_events`: one row per dropped record (reason and detail), keyed
 *   by its source topic/partition/offset: the ledger of what was filtered.
 *
 * Scylla (serving, read by the realtime gateway): `site_minutes` holds each
 * minute's whole model as a blob (site-model.ts `minuteToBytes`) beside its
 * headline figures, partitioned by (site_id, day) so one partition holds at
 * most 1,440 rows; write USING TIMESTAMP <folds> so the latest totals win.
 *
 * DDL placeholders as the runtime's TableMigration expects: `{database}` or
 * `{keyspace}`, and `{table}` (the physical, possibly versioned, name).
 */
export interface TableDefinition {
  /** Logical table name. */
  table: string;
  /** Idempotent DDL statements (IF NOT EXISTS). */
  ddl: string[];
}

export const analyticsTableNames = {
  events: 'events',
  sessions: 'sessions',
  siteMinutes: 'site_minutes',
  dropCounts: 'drop_counts_minute',
  droppedEvents: 'dropped_events',
} as const;

const VISIT_COLUMNS = `
        v_entry_page String,
        v_referrer String,
        v_source String,
        v_utm_source String,
        v_utm_medium String,
        v_utm_campaign String,
        v_utm_content String,
        v_utm_term String,
        device String,
        browser String,
        os String,
        country String,
        region String,
        city String,
        continent String,`;

export const clickhouseTables: readonly TableDefinition[] = [
  {
    table: analyticsTableNames.events,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        site_id String,
        timestamp DateTime('UTC'),
        event_ms Int64,
        received_ms Int64,
        event_id String,
        source String,
        kind String,
        name String,
        visitor_id String,
        session_id String,
        hostname String,
        pathname String,
        query String,
        referrer String,
        referrer_source String,${VISIT_COLUMNS}
        screen_width UInt32,
        language String,
        props_keys Array(String),
        props_values Array(String),
        vital_names Array(String),
        vital_values Array(Float64),
        source_topic String,
        source_partition UInt16,
        source_offset UInt64
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (site_id, timestamp, source_topic, source_partition, source_offset)`,
    ],
  },
  {
    table: analyticsTableNames.sessions,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        site_id String,
        session_id String,
        visitor_id String,
        opened_time DateTime('UTC'),
        start_time DateTime('UTC'),
        end_time DateTime('UTC'),
        start_ms Int64,
        end_ms Int64,
        duration_ms Int64,
        pageviews UInt32,
        events UInt32,
        is_bounce UInt8,
        entry_page String,
        exit_page String,
        hostname String,
        referrer String,
        referrer_source String,
        utm_source String,
        utm_medium String,
        utm_campaign String,
        utm_content String,
        utm_term String,
        device String,
        browser String,
        os String,
        country String,
        region String,
        city String,
        continent String,
        deleted UInt8,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(opened_time)
      ORDER BY (site_id, session_id)`,
    ],
  },
  {
    table: analyticsTableNames.siteMinutes,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        site_id String,
        minute DateTime('UTC'),
        pageviews UInt64,
        custom_events UInt64,
        visitors UInt64,
        sessions Int64,
        bounces Int64,
        duration_ms Int64,
        session_pageviews Int64,
        pages_keys Array(String),
        pages_counts Array(Int64),
        entry_pages_keys Array(String),
        entry_pages_counts Array(Int64),
        exit_pages_keys Array(String),
        exit_pages_counts Array(Int64),
        sources_keys Array(String),
        sources_counts Array(Int64),
        countries_keys Array(String),
        countries_counts Array(Int64),
        devices_keys Array(String),
        devices_counts Array(Int64),
        browsers_keys Array(String),
        browsers_counts Array(Int64),
        oses_keys Array(String),
        oses_counts Array(Int64),
        lcp_p75 Nullable(Float64),
        inp_p75 Nullable(Float64),
        cls_p75 Nullable(Float64),
        fcp_p75 Nullable(Float64),
        ttfb_p75 Nullable(Float64),
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(minute)
      ORDER BY (site_id, minute)`,
    ],
  },
  {
    table: analyticsTableNames.dropCounts,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        site_id String,
        minute DateTime('UTC'),
        source String,
        reason String,
        count UInt64,
        version UInt64
      ) ENGINE = ReplacingMergeTree(version)
      PARTITION BY toYYYYMM(minute)
      ORDER BY (site_id, minute, source, reason)`,
    ],
  },
  {
    table: analyticsTableNames.droppedEvents,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {database}.{table} (
        site_id String,
        timestamp DateTime('UTC'),
        event_ms Int64,
        event_id String,
        source String,
        reason String,
        detail String,
        source_topic String,
        source_partition UInt16,
        source_offset UInt64
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (site_id, timestamp, source_topic, source_partition, source_offset)`,
    ],
  },
];

export const scyllaTables: readonly TableDefinition[] = [
  {
    table: analyticsTableNames.siteMinutes,
    ddl: [
      `CREATE TABLE IF NOT EXISTS {keyspace}.{table} (
        site_id text,
        day date,
        minute timestamp,
        pageviews bigint,
        visitors bigint,
        sessions bigint,
        bounces bigint,
        folds bigint,
        model blob,
        model_version text,
        PRIMARY KEY ((site_id, day), minute)
      ) WITH CLUSTERING ORDER BY (minute DESC)`,
    ],
  },
];

/** Epoch ms → whole seconds, the form ClickHouse DateTime takes in JSONEachRow on every release. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function visitColumns(v: VisitAttributes | null, entryPage: string | null) {
  return {
    v_entry_page: entryPage ?? '',
    v_referrer: v?.referrer ?? '',
    v_source: v?.source ?? '',
    v_utm_source: v?.utm.source ?? '',
    v_utm_medium: v?.utm.medium ?? '',
    v_utm_campaign: v?.utm.campaign ?? '',
    v_utm_content: v?.utm.content ?? '',
    v_utm_term: v?.utm.term ?? '',
  };
}

export type EventRow = ReturnType<typeof eventRow>;

/**
 * The `events` row of an accepted event. `session` is the session the
 * sessionizer put it in (null for a vital outside any session): its visit
 * attributes fill the v_* columns; without one the event's own are used.
 */
export function eventRow(event: UnifiedEvent, session: SessionSummary | null) {
  const props = Object.entries(event.eventProps).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const visit: VisitAttributes = session?.attributes ?? {
    referrer: event.referrer,
    source: event.referrerSource,
    utm: event.utm,
    device: event.device,
    browser: event.browser,
    os: event.os,
    country: event.country,
    region: event.region,
    city: event.city,
    continent: event.continent,
  };
  return {
    site_id: event.siteId,
    timestamp: unixSeconds(event.timestamp),
    event_ms: event.timestamp,
    received_ms: event.receivedAt,
    event_id: event.eventId,
    source: event.source,
    kind: event.kind,
    name: event.kind === 'pageview' ? 'pageview' : event.kind === 'event' ? (event.eventName ?? '') : '',
    visitor_id: event.visitorId,
    session_id: session?.sessionId ?? '',
    hostname: event.hostname,
    pathname: event.path,
    query: event.query,
    referrer: event.referrer ?? '',
    referrer_source: event.referrerSource ?? '',
    ...visitColumns(visit, session?.entryPage ?? null),
    device: event.device ?? '',
    browser: event.browser ?? '',
    os: event.os ?? '',
    country: event.country ?? '',
    region: event.region ?? '',
    city: event.city ?? '',
    continent: event.continent ?? '',
    screen_width: event.screenWidth ?? 0,
    language: event.language ?? '',
    props_keys: props.map(([k]) => k),
    props_values: props.map(([, v]) => v),
    vital_names: event.vitals.map((v) => v.name),
    vital_values: event.vitals.map((v) => v.value),
    source_topic: event.origin.topic,
    source_partition: event.origin.partition,
    source_offset: event.origin.offset,
  };
}

export type SessionRow = ReturnType<typeof sessionRow>;

/** The `sessions` row of a session version; `deleted` marks a session merged into another (its version is one past its last). */
export function sessionRow(s: SessionSummary, deleted = false) {
  const a = s.attributes;
  return {
    site_id: s.siteId,
    session_id: s.sessionId,
    visitor_id: s.visitorId,
    opened_time: unixSeconds(s.openedAt),
    start_time: unixSeconds(s.start),
    end_time: unixSeconds(s.end),
    start_ms: s.start,
    end_ms: s.end,
    duration_ms: s.durationMs,
    pageviews: s.pageviews,
    events: s.events,
    is_bounce: s.bounce ? 1 : 0,
    entry_page: s.entryPage,
    exit_page: s.exitPage,
    hostname: s.hostname,
    referrer: a.referrer ?? '',
    referrer_source: a.source ?? '',
    utm_source: a.utm.source ?? '',
    utm_medium: a.utm.medium ?? '',
    utm_campaign: a.utm.campaign ?? '',
    utm_content: a.utm.content ?? '',
    utm_term: a.utm.term ?? '',
    device: a.device ?? '',
    browser: a.browser ?? '',
    os: a.os ?? '',
    country: a.country ?? '',
    region: a.region ?? '',
    city: a.city ?? '',
    continent: a.continent ?? '',
    deleted: deleted ? 1 : 0,
    version: deleted ? s.version + 1 : s.version,
  };
}

/** The rows a session change writes: the new version, or a deletion of the merged-away session. */
export function sessionChangeRows(change: { before: SessionSummary | null; after: SessionSummary | null }): SessionRow[] {
  if (change.after) return [sessionRow(change.after)];
  return change.before ? [sessionRow(change.before, true)] : [];
}

function counterColumns(counter: Record<string, number>) {
  const entries = Object.entries(counter).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { keys: entries.map(([k]) => k), counts: entries.map(([, n]) => n) };
}

export type SiteMinuteRow = ReturnType<typeof siteMinuteRow>;

export function siteMinuteRow(m: SiteMinuteModel) {
  const f = figures(m);
  const cols = (name: 'pages' | 'entryPages' | 'exitPages' | 'sources' | 'countries' | 'devices' | 'browsers' | 'oses') => counterColumns(m[name]);
  const pages = cols('pages');
  const entry = cols('entryPages');
  const exit = cols('exitPages');
  const sources = cols('sources');
  const countries = cols('countries');
  const devices = cols('devices');
  const browsers = cols('browsers');
  const oses = cols('oses');
  return {
    site_id: m.siteId,
    minute: unixSeconds(m.minute),
    pageviews: m.pageviews,
    custom_events: m.customEvents,
    visitors: f.visitors,
    sessions: m.sessions,
    bounces: m.bounces,
    duration_ms: m.durationMs,
    session_pageviews: m.sessionPageviews,
    pages_keys: pages.keys,
    pages_counts: pages.counts,
    entry_pages_keys: entry.keys,
    entry_pages_counts: entry.counts,
    exit_pages_keys: exit.keys,
    exit_pages_counts: exit.counts,
    sources_keys: sources.keys,
    sources_counts: sources.counts,
    countries_keys: countries.keys,
    countries_counts: countries.counts,
    devices_keys: devices.keys,
    devices_counts: devices.counts,
    browsers_keys: browsers.keys,
    browsers_counts: browsers.counts,
    oses_keys: oses.keys,
    oses_counts: oses.counts,
    lcp_p75: f.vitalsP75.LCP,
    inp_p75: f.vitalsP75.INP,
    cls_p75: f.vitalsP75.CLS,
    fcp_p75: f.vitalsP75.FCP,
    ttfb_p75: f.vitalsP75.TTFB,
    version: m.folds,
  };
}

export function dropCountMinuteRows(m: SiteMinuteModel) {
  return dropCountRows(m.drops).map((r) => ({ site_id: m.siteId, minute: unixSeconds(m.minute), source: r.source, reason: r.reason, count: r.count, version: m.folds }));
}

export function droppedEventRow(d: Drop) {
  return {
    site_id: d.siteId,
    timestamp: unixSeconds(d.timestamp),
    event_ms: d.timestamp,
    event_id: d.eventId,
    source: d.source,
    reason: d.reason,
    detail: d.detail,
    source_topic: d.origin.topic,
    source_partition: d.origin.partition,
    source_offset: d.origin.offset,
  };
}

/** Scylla `site_minutes` row values (CQL parameters in DDL column order) and the write timestamp to use. */
export function scyllaMinuteRow(m: SiteMinuteModel, modelVersion = 'v1') {
  const f = figures(m);
  return {
    values: {
      site_id: m.siteId,
      day: new Date(m.minute).toISOString().slice(0, 10),
      minute: new Date(m.minute),
      pageviews: m.pageviews,
      visitors: f.visitors,
      sessions: m.sessions,
      bounces: m.bounces,
      folds: m.folds,
      model: Buffer.from(minuteToBytes(m)),
      model_version: modelVersion,
    },
    /** USING TIMESTAMP value: the fold count grows with every change of the minute. */
    writeTimestamp: m.folds,
  };
}
