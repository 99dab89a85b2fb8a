/**
 * JavaScript run inside every app isolate after the app's own source. It
 * captures the app's `onRequest` (and `init`, if any), and installs the one
 * global the host calls, `__vane`:
 *
 *   __vane.init(configJson)      → undefined     init(config) of the app, if defined
 *   __vane.statics(staticsJson)  → undefined     providers, settings, custom data (frozen)
 *   __vane.run(requestJson)      → answerJson    onRequest(request, response)
 *   __vane.runBatch(requestsJson) → JSON [answer | {__error}]  several requests in one call
 *
 * Only strings cross the boundary (JSON), so nothing the app holds can refer
 * to a host object. The answer JSON is AppAnswer (app-request.ts); the host
 * validates it, so an app that tampers with this prelude only breaks itself.
 */
export const PRELUDE = String.raw`
// onRequest and init are passed by their bare names: the app may declare them with function, var, let or const.
(function (global, onRequest, init) {
  'use strict';
  if (typeof onRequest !== 'function') throw new TypeError('the app defines no function onRequest(request, response)');
  var parse = JSON.parse;
  var stringify = JSON.stringify;
  var freeze = Object.freeze;
  var keys = Object.keys;
  var isArray = Array.isArray;
  function deepFreeze(value) {
    if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
      freeze(value);
      var k = keys(value);
      for (var i = 0; i < k.length; i++) deepFreeze(value[k[i]]);
    }
    return value;
  }
  var statics = { providers: freeze([]), settings: null, data: freeze({}) };

  function Response() {
    this._answered = false;
    this._provider = undefined;
    this._target = undefined;
    this._ttl = undefined;
    this._reason = undefined;
    this._ranking = undefined;
  }
  /** respond(providerId[, target]): target is a CNAME, an address, a list of addresses or a URL; default: the provider's. */
  Response.prototype.respond = function (provider, target) {
    this._answered = true;
    this._provider = String(provider);
    this._target = target === undefined || target === null ? undefined : isArray(target) ? Array.prototype.map.call(target, String) : String(target);
  };
  /** setTTL(seconds) */
  Response.prototype.setTTL = function (ttl) {
    this._ttl = Number(ttl);
  };
  /** setReasonCode(code): [A-Za-z0-9_.:-]{1,64} */
  Response.prototype.setReasonCode = function (code) {
    this._reason = String(code);
  };
  /** setRanking([providerId, …]): the order the HTTP gateway lists providers in. */
  Response.prototype.setRanking = function (ids) {
    this._ranking = Array.prototype.map.call(ids, String);
  };
  freeze(Response.prototype);

  function answer(request) {
    // A fresh copy per request: changes an app makes to it reach no other request.
    request.providers = statics.providers;
    request.settings = statics.settings;
    request.data = statics.data;
    var response = new Response();
    onRequest(request, response);
    if (!response._answered) return { answered: false, reason: response._reason };
    return {
      answered: true,
      provider: response._provider,
      target: response._target,
      ttl: response._ttl,
      reason: response._reason,
      ranking: response._ranking,
    };
  }

  Object.defineProperty(global, '__vane', {
    value: freeze({
      init: function (configJson) {
        if (typeof init !== 'function') return;
        var config = deepFreeze(parse(configJson));
        init(config);
      },
      statics: function (json) {
        statics = deepFreeze(parse(json));
      },
      run: function (requestJson) {
        return stringify(answer(parse(requestJson)));
      },
      /** Several requests in one call (those that arrived together): [answer | {__error}] in order. */
      runBatch: function (requestsJson) {
        var requests = parse(requestsJson);
        var out = new Array(requests.length);
        for (var i = 0; i < requests.length; i++) {
          try {
            out[i] = answer(requests[i]);
          } catch (e) {
            out[i] = { __error: String(e && e.stack ? String(e).split('\n')[0] : e) };
          }
        }
        return stringify(out);
      },
    }),
    writable: false,
    configurable: false,
    enumerable: false,
  });
})(globalThis, typeof onRequest === 'undefined' ? undefined : onRequest, typeof init === 'undefined' ? undefined : init);
`;
