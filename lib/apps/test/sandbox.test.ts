import { VaneError } from '@vane/core';
import { decide } from '../src/decision';
import { AppSandbox, type RunOutcome } from '../src/sandbox';
import { bestRttSource } from '@vane/test-support/best-rtt-app';
import { fallback, load, providers, requestJson, staticsInput } from './support/apps';

const ctx = { providers, fallback, ttl: 60 };

const scores = {
  'cdn-a': { rttP50: 40, availability: 0.99 },
  'cdn-b': { rttP50: 25, availability: 0.97 },
};

describe('AppSandbox: a well-behaved app', () => {
  let sandbox: AppSandbox;
  beforeAll(async () => {
    sandbox = await load(bestRttSource);
  });
  afterAll(() => sandbox.dispose());

  it('answers from the scores, with its TTL and reason code', async () => {
    const outcome = await sandbox.run(requestJson({ scores }));
    expect(outcome).toMatchObject({ ok: true, answer: { answered: true, provider: 'cdn-b', ttl: 30, reason: 'best_rtt' } });
    expect(decide(outcome, ctx)).toMatchObject({ provider: 'cdn-b', cname: 'acme.cdn-b.net', ttl: 30, reason: 'best_rtt', fallback: false, ranking: ['cdn-b', 'cdn-a', 'origin'] });
  });

  it('follows the scores: a provider below the availability floor is skipped', async () => {
    const outcome = await sandbox.run(requestJson({ scores: { ...scores, 'cdn-b': { rttP50: 25, availability: 0.5 } } }));
    expect(decide(outcome, ctx).provider).toBe('cdn-a');
  });

  it('sees settings and custom data sent as statics, and they change without reloading', async () => {
    const app = await load(`function onRequest(req, res) { res.respond(req.data.weights.pick); res.setReasonCode('w' + req.settings.availabilityFloor * 10); }`);
    try {
      let outcome = await app.run(requestJson(), staticsInput({ weights: { pick: 'cdn-a' } }));
      expect(decide(outcome, ctx)).toMatchObject({ provider: 'cdn-a', reason: 'w8' });
      outcome = await app.run(requestJson(), staticsInput({ weights: { pick: 'cdn-b' } }));
      expect(decide(outcome, ctx).provider).toBe('cdn-b');
    } finally {
      app.dispose();
    }
  });

  it('gets its own copy of each request; providers, settings and data are frozen', async () => {
    const app = await load(`
      'use strict';
      function onRequest(req, res) {
        var seen = req.client.country;
        req.client.country = 'XX';
        var frozen = false;
        try { req.providers[0].cname = 'evil.example'; } catch (e) { frozen = true; }
        try { req.settings.availabilityFloor = 0; } catch (e) { frozen = frozen && true; }
        res.respond('cdn-a');
        res.setReasonCode((frozen && Object.isFrozen(req.data) ? 'frozen_' : 'mutable_') + seen);
      }`);
    try {
      const runs = await Promise.all([app.run(requestJson({ client: { country: 'DE' } })), app.run(requestJson({ client: { country: 'FR' } }))]);
      expect(runs.map((r) => decide(r, ctx).reason)).toEqual(['frozen_DE', 'frozen_FR']);
      expect(decide(await app.run(requestJson({ client: { country: 'US' } })), ctx)).toMatchObject({ reason: 'frozen_US', cname: 'acme.cdn-a.net' });
    } finally {
      app.dispose();
    }
  });

  it('lets an app declare onRequest with const, and answers with explicit targets', async () => {
    const app = await load(`const onRequest = (req, res) => { res.respond('cdn-b', req.qtype === 'AAAA' ? ['2001:db8::1', '2001:db8::2'] : 'edge.cdn-b.net'); };`);
    try {
      expect(decide(await app.run(requestJson({ qtype: 'AAAA' })), ctx)).toMatchObject({ provider: 'cdn-b', addresses: ['2001:db8::1', '2001:db8::2'], cname: null });
      expect(decide(await app.run(requestJson({ qtype: 'A' })), ctx)).toMatchObject({ provider: 'cdn-b', cname: 'edge.cdn-b.net', addresses: [] });
    } finally {
      app.dispose();
    }
  });
});

describe('AppSandbox: answers that do not check out give the fallback', () => {
  const cases: [string, string, string][] = [
    ['no respond()', `function onRequest(req, res) {}`, 'app_no_answer'],
    ['an unknown provider', `function onRequest(req, res) { res.respond('evil-cdn'); }`, 'app_invalid_answer'],
    ['a malformed target', `function onRequest(req, res) { res.respond('cdn-a', 'not a host!'); }`, 'app_invalid_answer'],
    ['a negative TTL', `function onRequest(req, res) { res.respond('cdn-a'); res.setTTL(-5); }`, 'app_invalid_answer'],
    ['a reserved reason code', `function onRequest(req, res) { res.respond('cdn-a'); res.setReasonCode('app_timeout'); }`, 'app_invalid_answer'],
    ['a huge reason code', `function onRequest(req, res) { res.respond('cdn-a'); res.setReasonCode('x'.repeat(100000)); }`, 'app_invalid_answer'],
  ];
  it.each(cases)('%s', async (_, source, reason) => {
    const app = await load(source);
    try {
      const decision = decide(await app.run(requestJson()), ctx);
      expect(decision).toMatchObject({ provider: 'origin', cname: 'origin.acme.example', ttl: 20, reason, fallback: true });
      expect(decision.error).toEqual(expect.any(String));
    } finally {
      app.dispose();
    }
  });
});

describe('AppSandbox: hostile apps', () => {
  it('an app that throws gets the fallback with app_error and its message', async () => {
    const app = await load(`function onRequest() { throw new Error('boom'); }`);
    try {
      const outcome = await app.run(requestJson());
      expect(outcome).toMatchObject({ ok: false, reason: 'app_error' });
      expect((outcome as { error: string }).error).toContain('boom');
      expect(decide(outcome, ctx)).toMatchObject({ provider: 'origin', fallback: true, reason: 'app_error' });
    } finally {
      app.dispose();
    }
  });

  it('has no access to the host: process, require, module, fetch, timers do not exist', async () => {
    const probe = await load(`
      function onRequest(req, res) {
        var names = ['process', 'require', 'module', 'exports', 'Buffer', 'fetch', 'setTimeout', 'setImmediate', 'queueMicrotask', 'XMLHttpRequest', 'WebAssembly'];
        var present = names.filter(function (n) { return typeof globalThis[n] !== 'undefined'; });
        res.respond('cdn-a');
        res.setReasonCode(present.length ? 'has_' + present.join('_') : 'none');
      }`);
    const touchProcess = await load(`function onRequest(req, res) { process.exit(1); }`);
    const touchRequire = await load(`function onRequest(req, res) { require('fs').writeFileSync('/tmp/pwned', 'x'); res.respond('cdn-a'); }`);
    const constructorEscape = await load(`function onRequest(req, res) { var p = this.constructor.constructor('return process')(); p.exit(1); }`);
    try {
      const reason = decide(await probe.run(requestJson()), ctx).reason;
      // WebAssembly is part of V8 itself; nothing from Node.js is there.
      expect(reason === 'none' || reason === 'has_WebAssembly').toBe(true);
      for (const app of [touchProcess, touchRequire, constructorEscape]) {
        const outcome = await app.run(requestJson());
        expect(outcome).toMatchObject({ ok: false, reason: 'app_error' });
        expect((outcome as { error: string }).error).toMatch(/is not defined/);
      }
    } finally {
      for (const app of [probe, touchProcess, touchRequire, constructorEscape]) app.dispose();
    }
  });

  it('an infinite loop times out (app_timeout) while other apps keep answering', async () => {
    const good = await load(bestRttSource, 'acme.good');
    const looping = await load(`function onRequest() { while (true) {} }`, 'evil.loop', { maxFailures: 1000 });
    try {
      // Keep the looping app busy the whole time: a new call as soon as one ends.
      let stop = false;
      const hostile: RunOutcome[] = [];
      const hammer = (async () => {
        while (!stop) hostile.push(await looping.run(requestJson()));
      })();
      const hammer2 = (async () => {
        while (!stop) hostile.push(await looping.run(requestJson()));
      })();
      const answers: (string | null)[] = [];
      // Good calls for as long as it takes the looping app to time out a few times.
      while (hostile.length < 4) answers.push(decide(await good.run(requestJson({ scores })), ctx).provider);
      stop = true;
      await Promise.all([hammer, hammer2]);

      expect(hostile.length).toBeGreaterThan(2);
      for (const o of hostile) expect(o).toMatchObject({ ok: false, reason: 'app_timeout' });
      expect(decide(hostile[0]!, ctx)).toMatchObject({ provider: 'origin', fallback: true, reason: 'app_timeout' });
      // Every good answer came, correct.
      expect(new Set(answers)).toEqual(new Set(['cdn-b']));
      // None waited for the looping app's time limit: an answer comes while a looping call still runs toward it.
      // (Latency beside a looping app is a figure of npm run bench:sandbox.)
      let inFlight = true;
      const loop = looping.run(requestJson()).then((outcome) => {
        inFlight = false;
        return outcome;
      });
      const answer = await good.run(requestJson({ scores }));
      expect(inFlight).toBe(true);
      expect(decide(answer, ctx).provider).toBe('cdn-b');
      expect(await loop).toMatchObject({ ok: false, reason: 'app_timeout' });
    } finally {
      good.dispose();
      looping.dispose();
    }
  });

  const bombSource = `
      function onRequest(req, res) {
        if (req.hostname === 'bomb.example') { var hoard = []; while (true) hoard.push(new Array(4e6).fill(hoard.length)); }
        if (req.hostname === 'slow-bomb.example') { var heap = []; while (true) heap.push({ n: heap.length, s: 'x' + heap.length }); }
        res.respond('cdn-a');
        res.setReasonCode('fine');
      }`;

  it('a memory bomb gets app_memory, and the app is rebuilt for the next request', async () => {
    // A generous time limit, so that the memory limit is what stops it.
    const app = await load(bombSource, 'evil.bomb', { timeoutMs: 3000 });
    try {
      const bomb = await app.run(requestJson({ hostname: 'bomb.example' }));
      expect(bomb).toMatchObject({ ok: false, reason: 'app_memory' });
      expect(decide(bomb, ctx)).toMatchObject({ provider: 'origin', fallback: true, reason: 'app_memory' });
      const after = await app.run(requestJson({ hostname: 'www.example.com' }));
      expect(decide(after, ctx)).toMatchObject({ provider: 'cdn-a', reason: 'fine', fallback: false });
      expect(app.stats().reboots).toBe(1);
    } finally {
      app.dispose();
    }
  });

  it('with the normal time limit, any memory bomb is answered by the fallback within the deadline', async () => {
    const app = await load(bombSource, 'evil.bomb2', { timeoutMs: 50 });
    try {
      // Stopped by the memory limit, by the time limit, or by the sandbox's own deadline (2 × the time limit);
      // how long each takes is a figure of npm run bench:sandbox.
      for (const hostname of ['bomb.example', 'slow-bomb.example']) {
        const outcome = await app.run(requestJson({ hostname }));
        expect(outcome.ok).toBe(false);
        expect(['app_memory', 'app_timeout']).toContain((outcome as { reason: string }).reason);
        expect((outcome as { error: string }).error).toMatch(/memory limit of 16 MB|took longer than 50 ms|no answer within 100 ms/);
        expect(decide(outcome, ctx)).toMatchObject({ provider: 'origin', fallback: true });
      }
    } finally {
      app.dispose();
    }
  });

  it('large ArrayBuffers count against the memory limit too', async () => {
    const app = await load(`function onRequest(req, res) { var bufs = []; for (var i = 0; i < 1000; i++) bufs.push(new ArrayBuffer(8 * 1024 * 1024)); res.respond('cdn-a'); }`);
    try {
      const outcome = await app.run(requestJson());
      expect(outcome.ok).toBe(false);
      expect(['app_memory', 'app_error']).toContain((outcome as { reason: string }).reason);
      expect(decide(outcome, ctx).provider).toBe('origin');
    } finally {
      app.dispose();
    }
  });

  it('an endless chain of microtasks is stopped by the time limit', async () => {
    const app = await load(`function onRequest(req, res) { res.respond('cdn-a'); (function spin() { Promise.resolve().then(spin); })(); }`);
    try {
      const outcome = await app.run(requestJson());
      expect(outcome).toMatchObject({ ok: false, reason: 'app_timeout' });
    } finally {
      app.dispose();
    }
  });

  it('quarantines an app after repeated hard failures, then tries it again', async () => {
    let now = 1_000_000;
    const app = await AppSandbox.load(
      { appId: 'evil.sometimes', version: 1, source: `var n = 0; function onRequest(req, res) { if (req.hostname === 'loop.example') while (true) {} res.respond('cdn-a'); }` },
      {},
      staticsInput(),
      { limits: { timeoutMs: 20, maxFailures: 2, quarantineMs: 1000, memoryMb: 16 }, now: () => now },
    );
    try {
      expect((await app.run(requestJson({ hostname: 'loop.example' }))).ok).toBe(false);
      expect((await app.run(requestJson({ hostname: 'loop.example' }))).ok).toBe(false);
      const skipped = await app.run(requestJson({ hostname: 'fine.example' }));
      // Answered without running the app: with the failure that put it in quarantine.
      expect(skipped).toMatchObject({ ok: false, reason: 'app_quarantined', error: expect.stringMatching(/^app_timeout: /) });
      expect(app.stats().failures).toMatchObject({ app_timeout: 2, app_quarantined: 1 });
      expect(app.stats().quarantinedUntil).toBe(now + 1000);
      now += 1001;
      expect(await app.run(requestJson({ hostname: 'fine.example' }))).toMatchObject({ ok: true });
    } finally {
      app.dispose();
    }
  });
});

describe('AppSandbox: apps that cannot load', () => {
  it.each([
    ['a syntax error', `function onRequest(req, res) { res.respond('cdn-a' }`, 'VANE_ERR_APP_COMPILE', /compile/],
    ['no onRequest', `function onrequest(req, res) {}`, 'VANE_ERR_APP_COMPILE', /defines no function onRequest/],
    ['a top-level loop', `while (true) {} function onRequest() {}`, 'VANE_ERR_APP_INIT', /top level: took longer than/],
    ['init throws', `function init() { throw new Error('no config'); } function onRequest() {}`, 'VANE_ERR_APP_INIT', /init: .*no config/],
    ['init bombs', `function init() { var a = []; while (true) a.push(new Array(1e5).fill(1)); } function onRequest() {}`, 'VANE_ERR_APP_INIT', /memory limit/],
  ])('%s is refused with %s', async (_, source, code, message) => {
    const error = await load(source).then(
      (s) => {
        s.dispose();
        return null;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VaneError);
    expect((error as VaneError).code).toBe(code);
    expect((error as VaneError).message).toMatch(message);
  });
});

describe('AppSandbox on the event loop (apps with a clean record)', () => {
  const source = `function onRequest(req, res) {
    if (req.hostname === 'loop.example') while (true) {}
    if (req.hostname === 'bomb.example') { var a = []; while (true) a.push(new Array(4e6).fill(1)); }
    if (req.hostname === 'throw.example') throw new Error('only this one');
    res.respond(req.hostname === 'b.example' ? 'cdn-b' : 'cdn-a');
    res.setReasonCode('ok');
  }`;

  async function promoted(extra = {}): Promise<AppSandbox> {
    const app = await load(source, 'acme.fast', { syncAfter: 3, ...extra });
    for (let i = 0; i < 3; i++) expect((await app.run(requestJson())).ok).toBe(true);
    expect(app.runsOnLoop).toBe(true);
    return app;
  }

  it('runs requests that arrive together in one call, each with its own answer', async () => {
    const app = await promoted();
    try {
      const names = ['a.example', 'b.example', 'throw.example', 'a.example', 'b.example'];
      const outcomes = await Promise.all(names.map((hostname) => app.run(requestJson({ hostname }))));
      expect(outcomes.map((o) => (o.ok ? decide(o, ctx).provider : o.reason))).toEqual(['cdn-a', 'cdn-b', 'app_error', 'cdn-a', 'cdn-b']);
      expect((outcomes[2] as { error: string }).error).toContain('only this one');
      expect(app.runsOnLoop).toBe(true);
    } finally {
      app.dispose();
    }
  });

  it('a loop on the event loop stalls it once, for the time limit, then the app runs off the loop for good', async () => {
    const app = await promoted({ timeoutMs: 100, maxFailures: 1000 });
    try {
      const first = await Promise.all([app.run(requestJson({ hostname: 'loop.example' })), app.run(requestJson({ hostname: 'a.example' }))]);
      // One call for both: both get the fallback, from the time limit (how long the stall lasts is a figure of npm run bench:sandbox).
      expect(first.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['app_timeout', 'app_timeout']);
      expect(first.map((o) => (o as { error: string }).error)).toEqual(['onRequest took longer than 100 ms', 'onRequest took longer than 100 ms']);
      expect(app.runsOnLoop).toBe(false);
      // Off the loop now: a loop no longer blocks the event loop; timers fire while it runs toward its time limit.
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      let inFlight = true;
      const [loop, firedWhileLooping] = await Promise.all([
        app.run(requestJson({ hostname: 'loop.example' })).then((outcome) => {
          inFlight = false;
          return outcome;
        }),
        new Promise<boolean>((r) => setTimeout(() => r(inFlight), 10)),
      ]);
      clearInterval(timer);
      expect(loop).toMatchObject({ ok: false, reason: 'app_timeout' });
      expect(firedWhileLooping).toBe(true);
      expect(ticks).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) expect((await app.run(requestJson())).ok).toBe(true);
      expect(app.runsOnLoop).toBe(false);
    } finally {
      app.dispose();
    }
  });

  it('a memory bomb on the event loop gets app_memory; the app is rebuilt and runs off the loop', async () => {
    const app = await promoted({ timeoutMs: 3000 });
    try {
      expect(await app.run(requestJson({ hostname: 'bomb.example' }))).toMatchObject({ ok: false, reason: 'app_memory' });
      expect(app.runsOnLoop).toBe(false);
      expect(decide(await app.run(requestJson({ hostname: 'b.example' })), ctx)).toMatchObject({ provider: 'cdn-b', fallback: false });
    } finally {
      app.dispose();
    }
  });
});
