import { decodeClientMessage, decodeServerMessage, encodeServerMessage, MAX_CLIENT_FRAME, type ServerMessage } from '../src';

describe('websocket protocol', () => {
  it('decodes subscriptions, defaulting to the model stream and removing repeats', () => {
    expect(decodeClientMessage(JSON.stringify({ type: 'subscribe', v: 1, id: 'c1', siteId: 'site-1', readKey: 'rk_0123456789' }))).toEqual({ type: 'subscribe', v: 1, id: 'c1', siteId: 'site-1', readKey: 'rk_0123456789', streams: ['model'] });
    expect(decodeClientMessage(Buffer.from(JSON.stringify({ type: 'subscribe', v: 1, id: 'c2', siteId: 'site-1', readKey: 'rk_0123456789', streams: ['geo', 'model', 'geo'] })))).toMatchObject({ streams: ['geo', 'model'] });
    expect(decodeClientMessage('{"type":"unsubscribe","v":1,"id":"c1"}')).toEqual({ type: 'unsubscribe', v: 1, id: 'c1' });
    expect(decodeClientMessage('{"type":"ping","v":1,"nonce":"n"}')).toEqual({ type: 'ping', v: 1, nonce: 'n' });
  });

  it.each([
    ['not json', 'is not JSON', 'VANE_ERR_BAD_INPUT'],
    ['[1]', 'JSON object', 'VANE_ERR_BAD_INPUT'],
    ['{"type":"subscribe","v":2}', '"v" must be 1', 'VANE_ERR_BAD_INPUT'],
    ['{"type":"publish","v":1}', 'is not subscribe, unsubscribe or ping', 'VANE_ERR_BAD_INPUT'],
    ['{"type":"subscribe","v":1,"id":"c1","siteId":"s","readKey":"short"}', '"readKey"', 'VANE_ERR_VALIDATION'],
    ['{"type":"subscribe","v":1,"id":"c 1","siteId":"s","readKey":"0123456789"}', '"id"', 'VANE_ERR_VALIDATION'],
    ['{"type":"subscribe","v":1,"id":"c1","siteId":"s","readKey":"0123456789","streams":["logs"]}', '"streams"', 'VANE_ERR_VALIDATION'],
    [JSON.stringify({ type: 'ping', v: 1, nonce: 'x'.repeat(MAX_CLIENT_FRAME) }), 'byte limit', 'VANE_ERR_BAD_INPUT'],
  ])('refuses %s', (frame, message, code) => {
    expect(() => decodeClientMessage(frame)).toThrow(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });

  it('round-trips every gateway message and checks envelopes', () => {
    const messages: ServerMessage[] = [
      { type: 'subscribed', v: 1, id: 'c1', siteId: 'site-1', streams: ['model'] },
      { type: 'model', v: 1, id: 'c1', siteId: 'site-1', seq: 0, minutes: [{ windowStart: 1, pageviews: 3 }] },
      { type: 'delta', v: 1, id: 'c1', siteId: 'site-1', seq: 4, minutes: [] },
      { type: 'geo', v: 1, id: 'c1', siteId: 'site-1', seq: 0, minutes: [] },
      { type: 'error', v: 1, id: null, code: 'VANE_ERR_NOT_FOUND', message: 'no such site' },
      { type: 'dropped', v: 1, reason: 'slow_consumer', message: '1000 messages were waiting' },
      { type: 'pong', v: 1, nonce: 'n' },
    ];
    for (const m of messages) expect(decodeServerMessage(encodeServerMessage(m))).toEqual(m);
    expect(() => decodeServerMessage('{"type":"model","v":1,"id":"c1","siteId":"s","seq":3,"minutes":[]}')).toThrow(/malformed/);
    expect(() => decodeServerMessage('{"type":"dropped","v":1,"reason":"bored","message":""}')).toThrow(/malformed/);
  });
});
