import { analyticsError } from './errors';
import type { DropReason } from './drops';
import type { DeviceType, UnifiedEvent, UtmTags } from './unified-event';

/**
 * Sessions per visitor: a session is a run of a visitor's events (pageviews
 * and custom events, by event time) with gaps shorter than `inactivityMs`
 * (30 minutes). State is plain JSON-able objects in a key/value store — the
 * runtime's per-partition state, restored from its changelog after a restart
 * or rebalance, so sessions continue where they were.
 *
 * Rules (each is tested in test/sessionizer.test.ts):
 * - Gap: an event joins a session when its time is within the session's
 *   [start, end] or less than `inactivityMs` before start or after end. A
 *   gap of exactly 30 minutes starts a new session.
 * - Out of order: sessions are intervals in event time, not in arrival order.
 *   An event may extend a session backwards (new entry page) or fall between
 *   two sessions and bridge them: they merge into the session created first
 *   (lower `seq`; its id stays) and the other is reported as removed
 *   (`after: null`). Within the retained state, which events form a session
 *   and its figures do not depend on the order the events arrived in; only
 *   its id does (the id of the record that opened the surviving session).
 * - Late: a visitor keeps at most `maxSessionsPerVisitor` sessions; when one
 *   more opens, the one that ended first is finalised and forgotten, and
 *   events that could have belonged to it (time < its end + inactivityMs)
 *   are dropped as `late` and counted, never folded into the wrong session.
 * - Idle state: a visitor's state lives while its events keep *arriving*
 *   (by the gateway's receivedAt, which is in the record, so replays decide
 *   the same way). It is expired once the partition's arrival watermark (the
 *   largest receivedAt seen) is more than `stateIdleMs` past the visitor's
 *   last arrival; `sessionize` applies that rule itself, so `expireIdle`
 *   sweeps only free memory and never change results.
 * - Midnight: the gateway's daily salt changes the visitor id; during the
 *   first 30 minutes of a UTC day records carry `previousVisitorId`. The
 *   state found under the previous id is moved under the new one (sessions,
 *   dedupe list and all) and a forward pointer is left behind, so a late
 *   event still sent under the old id lands in the same session.
 * - Duplicates: the last `recentEventIds` event ids of a visitor are kept; a
 *   record with one of them (a retried send, a re-uploaded log) is dropped as
 *   `duplicate`.
 * - Vitals neither open nor extend sessions (they measure a pageview already
 *   counted); `sessionize` reports the session they fall in, if any.
 * - Bounce: a session with exactly one pageview and no custom event.
 *   Duration: last event time − first event time.
 *   Entry/exit page: path of the earliest/latest pageview (earliest/latest
 *   custom event when the session has no pageview); ties by event id.
 *   Visit attributes (source, referrer, UTM tags, device, browser, OS,
 *   country, region, city) come from the session's earliest event.
 */
export interface SessionRules {
  inactivityMs: number;
  stateIdleMs: number;
  maxSessionsPerVisitor: number;
  recentEventIds: number;
}

export const sessionRuleDefaults: SessionRules = {
  inactivityMs: 30 * 60_000,
  stateIdleMs: 60 * 60_000,
  maxSessionsPerVisitor: 8,
  recentEventIds: 64,
};

export function sessionRules(raw: Partial<SessionRules> = {}): SessionRules {
  const rules = { ...sessionRuleDefaults, ...raw };
  for (const [name, value] of Object.entries(rules)) {
    if (!Number.isInteger(value) || value <= 0) throw analyticsError('VANE_ERR_CONFIG', `session rule ${name} must be a positive integer, got ${String(value)}`);
  }
  if (rules.stateIdleMs < rules.inactivityMs) throw analyticsError('VANE_ERR_CONFIG', `session rule stateIdleMs (${rules.stateIdleMs}) must be at least inactivityMs (${rules.inactivityMs})`);
  return rules;
}

/** Attributes of a visit, from its earliest event (Plausible's visit:* dimensions). */
export interface VisitAttributes {
  referrer: string | null;
  source: string | null;
  utm: UtmTags;
  device: DeviceType | null;
  browser: string | null;
  os: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  continent: string | null;
}

/** An event position within a session: time, event id (tie-break), page. */
export interface PagePoint {
  t: number;
  id: string;
  path: string;
  hostname: string;
}

export interface SessionState {
  /** Session id: the event id of the record that opened it. */
  id: string;
  /** Creation order within the visitor (the lower wins a merge). */
  seq: number;
  /** Visitor id the session was opened under. */
  visitorId: string;
  /** Event time of the record that opened it (fixed for the session's life: the sessions table partitions by it). */
  openedAt: number;
  start: number;
  end: number;
  pageviews: number;
  events: number;
  firstPageview: PagePoint | null;
  lastPageview: PagePoint | null;
  firstEvent: PagePoint;
  lastEvent: PagePoint;
  attributes: VisitAttributes;
  /** Increases with every change (ClickHouse ReplacingMergeTree version). */
  version: number;
}

export interface VisitorState {
  kind: 'visitor';
  siteId: string;
  visitorId: string;
  sessions: SessionState[];
  /** Largest receivedAt of the visitor's records. */
  lastReceivedAt: number;
  /** Events before this time are late (their session was forgotten); 0 = none. */
  lateBefore: number;
  /** Last session seq handed out. */
  seq: number;
  /** Most recent event ids, oldest first. */
  recent: string[];
}

/** Left under a previous-day visitor id after its state moved to the new id. */
export interface ForwardState {
  kind: 'forward';
  to: string;
  lastReceivedAt: number;
}

export interface WatermarkState {
  kind: 'watermark';
  /** Largest receivedAt seen on the partition. */
  receivedAt: number;
}

export type SessionStoreValue = VisitorState | ForwardState | WatermarkState;

/** The subset of the runtime's KeyValueStore the sessionizer uses. */
export interface SessionStore {
  get(key: string): SessionStoreValue | undefined;
  put(key: string, value: SessionStoreValue): void;
  delete(key: string): void;
  entries(): IterableIterator<[string, SessionStoreValue]>;
}

export const WATERMARK_KEY = 'sessionizer:watermark';

export function visitorKey(siteId: string, visitorId: string): string {
  return `v:${siteId}:${visitorId}`;
}

/** A session as the model and the tables see it. */
export interface SessionSummary {
  sessionId: string;
  siteId: string;
  visitorId: string;
  openedAt: number;
  start: number;
  end: number;
  durationMs: number;
  pageviews: number;
  events: number;
  bounce: boolean;
  entryPage: string;
  exitPage: string;
  hostname: string;
  attributes: VisitAttributes;
  version: number;
}

/** One session created (before null), changed, or removed by a merge (after null). */
export interface SessionChange {
  before: SessionSummary | null;
  after: SessionSummary | null;
}

export type SessionOutcome =
  | { status: 'sessionized'; sessionId: string; changes: SessionChange[] }
  | { status: 'measured'; sessionId: string | null }
  | { status: 'dropped'; reason: Extract<DropReason, 'duplicate' | 'late'>; detail: string };

function earlier(a: PagePoint, b: PagePoint): boolean {
  return a.t < b.t || (a.t === b.t && a.id < b.id);
}

function pointOf(event: UnifiedEvent): PagePoint {
  return { t: event.timestamp, id: event.eventId, path: event.path, hostname: event.hostname };
}

function attributesOf(event: UnifiedEvent): VisitAttributes {
  return {
    referrer: event.referrer,
    source: event.referrerSource,
    utm: { ...event.utm },
    device: event.device,
    browser: event.browser,
    os: event.os,
    country: event.country,
    region: event.region,
    city: event.city,
    continent: event.continent,
  };
}

export function summarize(siteId: string, s: SessionState): SessionSummary {
  const entry = s.firstPageview ?? s.firstEvent;
  const exit = s.lastPageview ?? s.lastEvent;
  return {
    sessionId: s.id,
    siteId,
    visitorId: s.visitorId,
    openedAt: s.openedAt,
    start: s.start,
    end: s.end,
    durationMs: s.end - s.start,
    pageviews: s.pageviews,
    events: s.events,
    bounce: s.pageviews === 1 && s.events === 0,
    entryPage: entry.path,
    exitPage: exit.path,
    hostname: entry.hostname,
    attributes: { ...s.attributes, utm: { ...s.attributes.utm } },
    version: s.version,
  };
}

function addToSession(s: SessionState, event: UnifiedEvent): void {
  const p = pointOf(event);
  if (event.kind === 'pageview') {
    s.pageviews++;
    if (!s.firstPageview || earlier(p, s.firstPageview)) s.firstPageview = p;
    if (!s.lastPageview || earlier(s.lastPageview, p)) s.lastPageview = p;
  } else {
    s.events++;
  }
  if (earlier(p, s.firstEvent)) {
    s.firstEvent = p;
    s.attributes = attributesOf(event);
  }
  if (earlier(s.lastEvent, p)) s.lastEvent = p;
  s.start = Math.min(s.start, p.t);
  s.end = Math.max(s.end, p.t);
}

function absorb(into: SessionState, other: SessionState): void {
  into.pageviews += other.pageviews;
  into.events += other.events;
  if (other.firstPageview && (!into.firstPageview || earlier(other.firstPageview, into.firstPageview))) into.firstPageview = other.firstPageview;
  if (other.lastPageview && (!into.lastPageview || earlier(into.lastPageview, other.lastPageview))) into.lastPageview = other.lastPageview;
  if (earlier(other.firstEvent, into.firstEvent)) {
    into.firstEvent = other.firstEvent;
    into.attributes = other.attributes;
  }
  if (earlier(into.lastEvent, other.lastEvent)) into.lastEvent = other.lastEvent;
  into.start = Math.min(into.start, other.start);
  into.end = Math.max(into.end, other.end);
  into.version = Math.max(into.version, other.version);
}

function touches(s: SessionState, t: number, inactivityMs: number): boolean {
  return t > s.start - inactivityMs && t < s.end + inactivityMs;
}

function isExpired(value: VisitorState | ForwardState, watermark: number, rules: SessionRules): boolean {
  return value.lastReceivedAt < watermark - rules.stateIdleMs;
}

function watermarkOf(store: SessionStore): number {
  const w = store.get(WATERMARK_KEY);
  return w?.kind === 'watermark' ? w.receivedAt : 0;
}

/** The live visitor state under `key` (following one forward pointer), with the key it lives under. */
function resolve(store: SessionStore, key: string, watermark: number, rules: SessionRules): { key: string; state: VisitorState } | null {
  let value = store.get(key);
  let at = key;
  if (value?.kind === 'forward') {
    if (isExpired(value, watermark, rules)) return null;
    at = value.to;
    value = store.get(at);
  }
  if (value?.kind !== 'visitor' || isExpired(value, watermark, rules)) return null;
  return { key: at, state: value };
}

function mergeVisitors(into: VisitorState, from: VisitorState, rules: SessionRules): void {
  into.sessions = [...into.sessions, ...from.sessions].sort((a, b) => a.start - b.start || a.seq - b.seq);
  into.seq = Math.max(into.seq, from.seq);
  into.lastReceivedAt = Math.max(into.lastReceivedAt, from.lastReceivedAt);
  into.lateBefore = Math.max(into.lateBefore, from.lateBefore);
  const recent = [...from.recent, ...into.recent.filter((id) => !from.recent.includes(id))];
  into.recent = recent.slice(-rules.recentEventIds);
}

/**
 * Folds one unified event into its visitor's sessions. Mutates `store`
 * (puts every value it changes). Returns the session changes to apply to
 * the site model and the sessions table, or why the event was dropped.
 */
export function sessionize(store: SessionStore, event: UnifiedEvent, rules: SessionRules = sessionRuleDefaults): SessionOutcome {
  const watermark = Math.max(watermarkOf(store), event.receivedAt);
  if (watermark !== watermarkOf(store)) store.put(WATERMARK_KEY, { kind: 'watermark', receivedAt: watermark });

  const ownKey = visitorKey(event.siteId, event.visitorId);
  const own = resolve(store, ownKey, watermark, rules);
  let key = own?.key ?? ownKey;
  let state: VisitorState | null = own?.state ?? null;

  if (event.previousVisitorId && event.previousVisitorId !== event.visitorId) {
    const prevKey = visitorKey(event.siteId, event.previousVisitorId);
    const prev = resolve(store, prevKey, watermark, rules);
    if (prev && prev.key !== key) {
      if (state) {
        mergeVisitors(state, prev.state, rules);
        store.delete(prev.key);
      } else {
        state = { ...prev.state, visitorId: event.visitorId };
        key = ownKey;
        if (prev.key !== prevKey) store.delete(prev.key);
      }
      store.put(prevKey, { kind: 'forward', to: key, lastReceivedAt: Math.max(event.receivedAt, prev.state.lastReceivedAt) });
    }
  }
  if (!state) {
    state = { kind: 'visitor', siteId: event.siteId, visitorId: event.visitorId, sessions: [], lastReceivedAt: event.receivedAt, lateBefore: 0, seq: 0, recent: [] };
  }

  if (state.recent.includes(event.eventId)) {
    store.put(key, state);
    return { status: 'dropped', reason: 'duplicate', detail: `event ${event.eventId} was already counted for this visitor` };
  }
  state.lastReceivedAt = Math.max(state.lastReceivedAt, event.receivedAt);

  if (event.kind === 'vital') {
    state.recent.push(event.eventId);
    if (state.recent.length > rules.recentEventIds) state.recent.splice(0, state.recent.length - rules.recentEventIds);
    store.put(key, state);
    const within = state.sessions.find((s) => touches(s, event.timestamp, rules.inactivityMs));
    return { status: 'measured', sessionId: within?.id ?? null };
  }

  if (event.timestamp < state.lateBefore) {
    store.put(key, state);
    return { status: 'dropped', reason: 'late', detail: `event time ${new Date(event.timestamp).toISOString()} is before ${new Date(state.lateBefore).toISOString()}, where this visitor's retained sessions begin` };
  }

  state.recent.push(event.eventId);
  if (state.recent.length > rules.recentEventIds) state.recent.splice(0, state.recent.length - rules.recentEventIds);

  const siteId = state.siteId;
  const hit = state.sessions.filter((s) => touches(s, event.timestamp, rules.inactivityMs));
  const changes: SessionChange[] = [];
  let session: SessionState;
  if (hit.length === 0) {
    const p = pointOf(event);
    session = {
      id: event.eventId,
      seq: ++state.seq,
      visitorId: event.visitorId,
      openedAt: event.timestamp,
      start: event.timestamp,
      end: event.timestamp,
      pageviews: 0,
      events: 0,
      firstPageview: null,
      lastPageview: null,
      firstEvent: p,
      lastEvent: p,
      attributes: attributesOf(event),
      version: 0,
    };
    addToSession(session, event);
    session.version = 1;
    state.sessions.push(session);
    state.sessions.sort((a, b) => a.start - b.start || a.seq - b.seq);
    changes.push({ before: null, after: summarize(siteId, session) });
  } else {
    const winner = hit.reduce((a, b) => (b.seq < a.seq ? b : a));
    const before = summarize(siteId, winner);
    for (const other of hit) {
      if (other === winner) continue;
      changes.push({ before: summarize(siteId, other), after: null });
      absorb(winner, other);
    }
    if (hit.length > 1) state.sessions = state.sessions.filter((s) => s === winner || !hit.includes(s));
    addToSession(winner, event);
    winner.version++;
    session = winner;
    changes.unshift({ before, after: summarize(siteId, winner) });
  }

  while (state.sessions.length > rules.maxSessionsPerVisitor) {
    let oldest = 0;
    for (let i = 1; i < state.sessions.length; i++) if (state.sessions[i]!.end < state.sessions[oldest]!.end) oldest = i;
    const [gone] = state.sessions.splice(oldest, 1);
    state.lateBefore = Math.max(state.lateBefore, gone!.end + rules.inactivityMs);
  }
  store.put(key, state);
  return { status: 'sessionized', sessionId: session.id, changes };
}

/**
 * Removes visitor states and forward pointers whose last arrival is more
 * than `stateIdleMs` behind the partition's arrival watermark. Frees memory
 * only: `sessionize` already ignores such state. Returns how many keys went.
 */
export function expireIdle(store: SessionStore, rules: SessionRules = sessionRuleDefaults): number {
  const watermark = watermarkOf(store);
  const gone: string[] = [];
  for (const [key, value] of store.entries()) {
    if (value.kind !== 'watermark' && isExpired(value, watermark, rules)) gone.push(key);
  }
  for (const key of gone) store.delete(key);
  return gone.length;
}

/** The current sessions of a visitor (following a forward pointer), summarised; empty when none. */
export function visitorSessions(store: SessionStore, siteId: string, visitorId: string, rules: SessionRules = sessionRuleDefaults): SessionSummary[] {
  const found = resolve(store, visitorKey(siteId, visitorId), watermarkOf(store), rules);
  return found ? found.state.sessions.map((s) => summarize(siteId, s)) : [];
}

/** A Map-backed SessionStore (tests, tools); the runtime's KeyValueStore fits the same interface. */
export function memorySessionStore(): SessionStore & { readonly size: number } {
  const map = new Map<string, SessionStoreValue>();
  return {
    get: (k) => map.get(k),
    put: (k, v) => void map.set(k, v),
    delete: (k) => void map.delete(k),
    entries: () => map.entries(),
    get size() {
      return map.size;
    },
  };
}
