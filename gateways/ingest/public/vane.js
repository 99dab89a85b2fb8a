/*! Vane browser tag, served by the ingest gateway at /vane.js.
 *
 *   <script defer src="https://<gateway>/vane.js" data-key="vk_…"></script>
 *
 * data-key          the site key (required)
 * data-api          gateway origin (default: where this script came from)
 * data-probe-delay  ms after the load event before the RUM probes run (default 2000)
 * data-probes="off" do not run RUM probes; data-vitals="off": do not send web vitals
 *
 * Sends one pageview beacon, web vitals (LCP, INP, CLS, FCP, TTFB) when the
 * page is hidden, and runs the session's measurement plan: each probe URL is
 * fetched once and measured with the Resource Timing API; the results go to
 * /api/v1/measurements with the plan's token. Custom events:
 * window.vane.event(name, props). Sends no cookies and stores only a random
 * session hint in sessionStorage.
 */
(function () {
  'use strict';
  try {
    var script = document.currentScript;
    if (!script) return;
    var key = script.getAttribute('data-key');
    if (!key) return;
    var api = (script.getAttribute('data-api') || new URL(script.src, location.href).origin).replace(/\/$/, '');
    var delay = Number(script.getAttribute('data-probe-delay') || 2000);
    var query = '?key=' + encodeURIComponent(key);

    var uuid = function () {
      if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
      var b = new Uint8Array(16);
      crypto.getRandomValues(b);
      b[6] = (b[6] & 15) | 64;
      b[8] = (b[8] & 63) | 128;
      var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
      return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
    };

    var session;
    try {
      session = sessionStorage.getItem('vane.sid') || uuid();
      sessionStorage.setItem('vane.sid', session);
    } catch (e) {
      session = uuid();
    }

    // JSON as text/plain: no CORS preflight, and what sendBeacon sends anyway.
    var send = function (path, body) {
      var url = api + path + query;
      var data = JSON.stringify(body);
      try {
        if (navigator.sendBeacon && navigator.sendBeacon(url, data)) return;
      } catch (e) { /* fall back to fetch */ }
      fetch(url, { method: 'POST', body: data, keepalive: true, mode: 'cors', credentials: 'omit', headers: { 'content-type': 'text/plain' } }).catch(function () {});
    };

    var event = function (type) {
      return {
        eventId: uuid(),
        type: type,
        url: location.href,
        referrer: document.referrer || null,
        title: document.title || null,
        screenWidth: screen.width,
        language: navigator.language,
        sessionHint: session,
        eventTime: Date.now()
      };
    };

    send('/api/v1/beacon', event('pageview'));

    window.vane = {
      event: function (name, props) {
        var e = event('event');
        e.name = String(name);
        e.props = props || {};
        send('/api/v1/beacon', e);
      }
    };

    // ---- web vitals
    if (script.getAttribute('data-vitals') !== 'off' && window.PerformanceObserver) {
      var vitals = {};
      var observe = function (type, callback, options) {
        try {
          var po = new PerformanceObserver(function (list) { list.getEntries().forEach(callback); });
          var o = options || {};
          o.type = type;
          o.buffered = true;
          po.observe(o);
        } catch (e) { /* entry type not supported */ }
      };
      observe('paint', function (e) { if (e.name === 'first-contentful-paint') vitals.FCP = e.startTime; });
      observe('largest-contentful-paint', function (e) { vitals.LCP = e.renderTime || e.loadTime || e.startTime; });
      var cls = 0, windowValue = 0, windowStart = 0, windowLast = 0;
      observe('layout-shift', function (e) {
        if (e.hadRecentInput) return;
        if (windowValue && e.startTime - windowLast < 1000 && e.startTime - windowStart < 5000) windowValue += e.value;
        else { windowValue = e.value; windowStart = e.startTime; }
        windowLast = e.startTime;
        if (windowValue > cls) cls = windowValue;
        vitals.CLS = cls;
      });
      observe('event', function (e) { if (e.interactionId && (!vitals.INP || e.duration > vitals.INP)) vitals.INP = e.duration; }, { durationThreshold: 16 });
      var nav = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
      if (nav && nav.responseStart > 0) vitals.TTFB = nav.responseStart;
      var vitalsSent = false;
      var flushVitals = function () {
        if (vitalsSent) return;
        var list = Object.keys(vitals).map(function (n) { return { name: n, value: Math.max(0, Math.round(vitals[n] * 1000) / 1000) }; });
        if (!list.length) return;
        vitalsSent = true;
        var e = event('vital');
        e.vitals = list;
        send('/api/v1/beacon', e);
      };
      addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') flushVitals(); });
      addEventListener('pagehide', flushVitals);
    }

    // ---- RUM probes
    var round = function (x) { return Math.round(x * 10) / 10; };
    var phase = function (a, b) { return a > 0 && b >= a ? round(b - a) : null; };
    var timingsOf = function (t) {
      return {
        dnsMs: phase(t.domainLookupStart, t.domainLookupEnd),
        connectMs: phase(t.connectStart, t.connectEnd),
        tlsMs: t.secureConnectionStart > 0 ? phase(t.secureConnectionStart, t.connectEnd) : null,
        ttfbMs: phase(t.requestStart, t.responseStart),
        downloadMs: phase(t.responseStart, t.responseEnd)
      };
    };

    var measure = function (probe) {
      var url = probe.url + (probe.url.indexOf('?') < 0 ? '?' : '&') + 'vane=' + uuid();
      var t0 = performance.now();
      return fetch(url, { mode: 'cors', cache: 'no-store', credentials: 'omit' })
        .then(function (r) { return r.arrayBuffer().then(function (b) { return { ok: r.ok, size: b.byteLength }; }); })
        .catch(function () { return { ok: false, size: 0 }; })
        .then(function (res) {
          var elapsed = performance.now() - t0;
          var entries = performance.getEntriesByName(new URL(url, location.href).href);
          var entry = entries[entries.length - 1];
          var timings = entry ? timingsOf(entry) : null;
          var m = { measurementId: uuid(), provider: probe.provider, probeType: probe.type, url: probe.url, eventTime: Date.now(), timings: timings };
          if (probe.type === 'availability' || !res.ok) {
            m.probeType = 'availability';
            m.value = res.ok ? 1 : 0;
          } else if (probe.type === 'rtt') {
            m.value = round(timings && timings.ttfbMs !== null ? timings.ttfbMs : entry ? entry.duration : elapsed);
          } else {
            var ms = timings && timings.downloadMs ? timings.downloadMs : entry ? entry.duration : elapsed;
            m.value = round((res.size * 8) / Math.max(ms, 0.1));
          }
          return m;
        });
    };

    var runPlan = function () {
      fetch(api + '/api/v1/session/init' + query, { mode: 'cors', credentials: 'omit', cache: 'no-store' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (plan) {
          if (!plan || !plan.probes || !plan.probes.length) return;
          var results = [];
          return plan.probes
            .reduce(function (p, probe) { return p.then(function () { return measure(probe).then(function (m) { results.push(m); }); }); }, Promise.resolve())
            .then(function () {
              if (!results.length) return;
              return fetch(api + plan.measurementsUrl + query, {
                method: 'POST',
                mode: 'cors',
                credentials: 'omit',
                keepalive: true,
                headers: { 'content-type': 'text/plain' },
                body: JSON.stringify({ token: plan.token, measurements: results })
              });
            });
        })
        .catch(function () {});
    };

    if (script.getAttribute('data-probes') !== 'off') {
      var later = function () { setTimeout(runPlan, delay); };
      if (document.readyState === 'complete') later();
      else addEventListener('load', later);
    }
  } catch (e) { /* never break the page */ }
})();
