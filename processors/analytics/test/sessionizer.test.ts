import {
  expireIdle,
  memorySessionStore,
  sessionize,
  sessionRules,
  visitorKey,
  visitorSessions,
  WATERMARK_KEY,
  type SessionOutcome,
  type SessionStore,
  type SessionStoreValue,
  type SessionSummary,
  type UnifiedEvent,
} from '../src';
import { ev, MIN, T0 } from './fixtures';

const rules = sessionRules();

function sessionized(o: SessionOutcome) {
  if (o.status !== 'sessionized') throw new Error(`not sessionized: ${JSON.stringify(o)}`);
  return o;
}

function run(events: UnifiedEvent[], store: SessionStore = memorySessionStore(), r = rules): { store: SessionStore; outcomes: SessionOutcome[] } {
  return { store, outcomes: events.map((e) => sessionize(store, e, r)) };
}

/** Session figures without the id (which depends on arrival order). */
function shape(s: SessionSummary) {
  const { sessionId: _id, version: _v, openedAt: _o, ...rest } = s;
  return rest;
}

describe('sessionizer', () => {
  it('a gap under 30 minutes continues the session; exactly 30 minutes starts a new one', () => {
    const { store, outcomes } = run([ev({ t: T0 }), ev({ t: T0 + 30 * MIN - 1 }), ev({ t: T0 + 60 * MIN - 2 }), ev({ t: T0 + 90 * MIN - 2 })]);
    const [a, b, c, d] = outcomes.map(sessionized);
    expect(b!.sessionId).toBe(a!.sessionId);
    expect(c!.sessionId).toBe(a!.sessionId);
    expect(d!.sessionId).not.toBe(a!.sessionId);
    const sessions = visitorSessions(store, 'site-1', 'v-1');
    expect(sessions.map((s) => [s.pageviews, s.durationMs])).toEqual([
      [3, 60 * MIN - 2],
      [1, 0],
    ]);
  });

  it('reports each change as before/after: a new bounce, then a two-page visit', () => {
    const [first, second] = run([ev({ t: T0, path: '/a' }), ev({ t: T0 + 5 * MIN, path: '/b' })]).outcomes.map(sessionized);
    expect(first!.changes).toEqual([{ before: null, after: expect.objectContaining({ pageviews: 1, bounce: true, entryPage: '/a', exitPage: '/a', durationMs: 0, version: 1 }) }]);
    expect(second!.changes).toHaveLength(1);
    expect(second!.changes[0]!.before).toMatchObject({ pageviews: 1, bounce: true });
    expect(second!.changes[0]!.after).toMatchObject({ pageviews: 2, bounce: false, entryPage: '/a', exitPage: '/b', durationMs: 5 * MIN, version: 2 });
  });

  it('a custom event makes a one-page visit no bounce; vitals neither open nor extend sessions', () => {
    const store = memorySessionStore();
    const pv = sessionized(sessionize(store, ev({ t: T0 }), rules));
    const vital = sessionize(store, ev({ t: T0 + MIN, kind: 'vital', vitals: [{ name: 'LCP', value: 900 }] }), rules);
    expect(vital).toEqual({ status: 'measured', sessionId: pv.sessionId });
    expect(visitorSessions(store, 'site-1', 'v-1')[0]).toMatchObject({ pageviews: 1, events: 0, bounce: true, durationMs: 0 });
    const lonely = sessionize(store, ev({ t: T0 + 5 * 60 * MIN, receivedAt: T0 + MIN, kind: 'vital', vitals: [{ name: 'CLS', value: 0.1 }] }), rules);
    expect(lonely).toEqual({ status: 'measured', sessionId: null });
    sessionize(store, ev({ t: T0 + 2 * MIN, kind: 'event', eventName: 'signup' }), rules);
    expect(visitorSessions(store, 'site-1', 'v-1')).toEqual([expect.objectContaining({ pageviews: 1, events: 1, bounce: false, durationMs: 2 * MIN })]);
  });

  it('an out-of-order earlier event moves the entry page and the visit attributes', () => {
    const late = ev({ t: T0, path: '/landing', referrerSource: 'news', utm: { source: 'news', medium: 'email', campaign: null, content: null, term: null }, receivedAt: T0 + 10 * MIN });
    const { store, outcomes } = run([ev({ t: T0 + 5 * MIN, path: '/second', receivedAt: T0 + 5 * MIN }), late]);
    const change = sessionized(outcomes[1]!).changes[0]!;
    expect(change.before).toMatchObject({ entryPage: '/second', start: T0 + 5 * MIN });
    expect(change.after).toMatchObject({ entryPage: '/landing', exitPage: '/second', start: T0, durationMs: 5 * MIN, attributes: expect.objectContaining({ source: 'news' }) });
    expect(visitorSessions(store, 'site-1', 'v-1')).toHaveLength(1);
  });

  it('an event between two sessions bridges them into the session created first', () => {
    const a = ev({ t: T0, path: '/a' });
    const b = ev({ t: T0 + 50 * MIN, path: '/b' });
    const bridge = ev({ t: T0 + 25 * MIN, path: '/bridge', receivedAt: T0 + 51 * MIN });
    const { store, outcomes } = run([a, b, bridge]);
    const merge = sessionized(outcomes[2]!);
    expect(merge.sessionId).toBe(a.eventId);
    expect(merge.changes).toEqual([
      { before: expect.objectContaining({ sessionId: a.eventId, pageviews: 1 }), after: expect.objectContaining({ sessionId: a.eventId, pageviews: 3, entryPage: '/a', exitPage: '/b', durationMs: 50 * MIN }) },
      { before: expect.objectContaining({ sessionId: b.eventId, pageviews: 1 }), after: null },
    ]);
    expect(visitorSessions(store, 'site-1', 'v-1')).toHaveLength(1);
  });

  it('ends with the same sessions whatever order the events arrive in', () => {
    const times = [0, 3, 7, 20, 45, 46, 80, 111, 112, 140, 175, 176, 177].map((m) => T0 + m * MIN);
    const events = times.map((t, i) => ev({ t, path: `/p${i % 4}`, receivedAt: T0 }));
    const reference = visitorSessions(run(events).store, 'site-1', 'v-1').map(shape);
    expect(reference.map((s) => s.pageviews)).toEqual([6, 1, 3, 3]);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 20; round++) {
      const shuffled = [...events].sort(() => random() - 0.5);
      expect(visitorSessions(run(shuffled).store, 'site-1', 'v-1').map(shape)).toEqual(reference);
    }
  });

  describe('midnight salt change', () => {
    const midnight = Date.UTC(2026, 4, 13);

    it('continues the session under the new visitor id and leaves a forward for late old-id events', () => {
      const store = memorySessionStore();
      const before = sessionized(sessionize(store, ev({ t: midnight - 10 * MIN, visitorId: 'old', path: '/a' }), rules));
      const after = sessionized(sessionize(store, ev({ t: midnight + 5 * MIN, visitorId: 'new', previousVisitorId: 'old', path: '/b' }), rules));
      expect(after.sessionId).toBe(before.sessionId);
      expect(after.changes[0]!.after).toMatchObject({ pageviews: 2, bounce: false, entryPage: '/a', exitPage: '/b', durationMs: 15 * MIN, visitorId: 'old' });
      expect(store.get(visitorKey('site-1', 'old'))).toMatchObject({ kind: 'forward', to: visitorKey('site-1', 'new') });
      const straggler = sessionized(sessionize(store, ev({ t: midnight - 5 * MIN, visitorId: 'old', path: '/c', receivedAt: midnight + 6 * MIN }), rules));
      expect(straggler.sessionId).toBe(before.sessionId);
      expect(visitorSessions(store, 'site-1', 'new')).toEqual([expect.objectContaining({ pageviews: 3 })]);
      expect(visitorSessions(store, 'site-1', 'old')).toEqual(visitorSessions(store, 'site-1', 'new'));
    });

    it('merges when the new id already has state of its own', () => {
      const store = memorySessionStore();
      sessionize(store, ev({ t: midnight - 10 * MIN, visitorId: 'old' }), rules);
      sessionize(store, ev({ t: midnight + 20 * MIN, visitorId: 'new' }), rules);
      const join = sessionized(sessionize(store, ev({ t: midnight + 5 * MIN, visitorId: 'new', previousVisitorId: 'old' }), rules));
      expect(join.changes.filter((c) => c.after === null)).toHaveLength(1);
      expect(visitorSessions(store, 'site-1', 'new')).toEqual([expect.objectContaining({ pageviews: 3, durationMs: 30 * MIN })]);
    });

    it('without a previous id (more than 30 minutes after midnight) a new session starts, as the gap says it should', () => {
      const store = memorySessionStore();
      const a = sessionized(sessionize(store, ev({ t: midnight - 10 * MIN, visitorId: 'old' }), rules));
      const b = sessionized(sessionize(store, ev({ t: midnight + 35 * MIN, visitorId: 'new' }), rules));
      expect(b.sessionId).not.toBe(a.sessionId);
    });
  });

  it('drops events older than a forgotten session as late, and counts nothing twice', () => {
    const r = sessionRules({ maxSessionsPerVisitor: 2 });
    const store = memorySessionStore();
    for (const h of [0, 2, 4]) sessionize(store, ev({ t: T0 + h * 60 * MIN, receivedAt: T0 }), r);
    expect(visitorSessions(store, 'site-1', 'v-1', r).map((s) => s.start)).toEqual([T0 + 2 * 60 * MIN, T0 + 4 * 60 * MIN]);
    const late = sessionize(store, ev({ t: T0 + 10 * MIN, receivedAt: T0 }), r);
    expect(late).toMatchObject({ status: 'dropped', reason: 'late' });
    const fresh = sessionize(store, ev({ t: T0 + 45 * MIN, receivedAt: T0 }), r);
    expect(fresh.status).toBe('sessionized');
  });

  it('drops a retried event id as duplicate', () => {
    const store = memorySessionStore();
    const e = ev({ t: T0 });
    sessionize(store, e, rules);
    expect(sessionize(store, { ...e, receivedAt: T0 + 1000 }, rules)).toMatchObject({ status: 'dropped', reason: 'duplicate' });
    expect(visitorSessions(store, 'site-1', 'v-1')[0]!.pageviews).toBe(1);
  });

  it('expires idle visitors by the arrival watermark, and a sweep never changes results', () => {
    const events = [
      ev({ t: T0, visitorId: 'a', receivedAt: T0 }),
      ev({ t: T0 + 61 * MIN, visitorId: 'b', receivedAt: T0 + 61 * MIN }),
      // arrives 62 minutes after a's first event although it happened 10 minutes after it
      ev({ t: T0 + 10 * MIN, visitorId: 'a', receivedAt: T0 + 62 * MIN }),
    ];
    const plain = run(events);
    const swept = memorySessionStore();
    sessionize(swept, events[0]!, rules);
    sessionize(swept, events[1]!, rules);
    expect(expireIdle(swept, rules)).toBe(1);
    sessionize(swept, events[2]!, rules);
    expect(visitorSessions(swept, 'site-1', 'a').map(shape)).toEqual(visitorSessions(plain.store, 'site-1', 'a').map(shape));
    expect(visitorSessions(plain.store, 'site-1', 'a').map((s) => s.pageviews)).toEqual([1]);
    expect(plain.store.get(WATERMARK_KEY)).toEqual({ kind: 'watermark', receivedAt: T0 + 62 * MIN });
  });

  it('continues from state restored through JSON (restart, rebalance)', () => {
    const events = [ev({ t: T0, path: '/a' }), ev({ t: T0 + 10 * MIN, path: '/b', visitorId: 'v-2' }), ev({ t: T0 + 12 * MIN, path: '/c' })];
    const straight = run(events).store;
    const first = run(events.slice(0, 2)).store;
    const restored = memorySessionStore();
    for (const [k, v] of first.entries()) restored.put(k, JSON.parse(JSON.stringify(v)) as SessionStoreValue);
    run(events.slice(2), restored);
    for (const visitor of ['v-1', 'v-2']) expect(visitorSessions(restored, 'site-1', visitor)).toEqual(visitorSessions(straight, 'site-1', visitor));
  });

  it('refuses inconsistent rules', () => {
    expect(() => sessionRules({ inactivityMs: 0 })).toThrow(/inactivityMs/);
    expect(() => sessionRules({ stateIdleMs: MIN })).toThrow(expect.objectContaining({ code: 'VANE_ERR_CONFIG' }));
  });
});
