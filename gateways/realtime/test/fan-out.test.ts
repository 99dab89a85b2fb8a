import { channelOf, FanOut } from '../src';

describe('fan-out', () => {
  it('queues one published frame for every subscriber of the channel, and only them', () => {
    const f = new FanOut();
    f.subscribe('a', channelOf('model', 's1'));
    f.subscribe('b', channelOf('model', 's1'));
    f.subscribe('c', channelOf('model', 's2'));
    expect(f.publish(channelOf('model', 's1'), 'd1', 0)).toEqual({ queued: ['a', 'b'], dropped: [] });
    expect(f.take('a')).toEqual(['d1']);
    expect(f.take('a')).toEqual([]);
    expect(f.take('c')).toEqual([]);
    expect(f.queued('b')).toEqual({ messages: 1, bytes: 2 });
    expect(f.publish('nobody', 'x', 0)).toEqual({ queued: [], dropped: [] });
  });

  it('drops a subscriber that stops reading, by message count, bytes or lag, and keeps serving the others', () => {
    const f = new FanOut({ maxQueuedMessages: 3, maxQueuedBytes: 1_000, maxLagMs: 5_000 });
    for (const id of ['fast', 'slow']) f.subscribe(id, 'model:s1');
    const dropped = [];
    for (let i = 0; i < 5; i++) {
      const r = f.publish('model:s1', `delta-${i}`, i);
      dropped.push(...r.dropped);
      f.take('fast');
    }
    expect(dropped).toEqual([{ subscriberId: 'slow', reason: 'slow_consumer', message: '3 messages were waiting (limit 3)' }]);
    expect(f.members('model:s1')).toEqual(['fast']);
    expect(f.queued('slow')).toBeNull();

    const bytes = new FanOut({ maxQueuedMessages: 100, maxQueuedBytes: 10, maxLagMs: 5_000 });
    bytes.subscribe('x', 'c');
    bytes.publish('c', '12345', 0);
    expect(bytes.publish('c', '123456', 1).dropped).toEqual([{ subscriberId: 'x', reason: 'queue_bytes', message: '11 bytes would be waiting (limit 10)' }]);

    const lag = new FanOut({ maxQueuedMessages: 100, maxQueuedBytes: 1_000, maxLagMs: 5_000 });
    lag.subscribe('y', 'c');
    lag.subscribe('z', 'c');
    lag.publish('c', 'm', 0);
    lag.take('z');
    expect(lag.sweep(4_000)).toEqual([]);
    expect(lag.sweep(6_000)).toEqual([{ subscriberId: 'y', reason: 'slow_consumer', message: 'the oldest waiting message is 6000 ms old (limit 5000 ms)' }]);
    expect(lag.size).toBe(1);
  });

  it('takes frames within a byte budget, always at least one, oldest first', () => {
    const f = new FanOut();
    f.subscribe('a', 'c');
    for (const frame of ['aaaa', 'bbbb', 'cccc']) f.publish('c', frame, 0);
    expect(f.take('a', 9)).toEqual(['aaaa', 'bbbb']);
    expect(f.take('a', 1)).toEqual(['cccc']);
    expect(f.queued('a')).toEqual({ messages: 0, bytes: 0 });
  });

  it('keeps memory bounded over many rounds for a subscriber that keeps up', () => {
    const f = new FanOut({ maxQueuedMessages: 10, maxQueuedBytes: 1_000, maxLagMs: 1_000 });
    f.subscribe('a', 'c');
    for (let i = 0; i < 10_000; i++) {
      expect(f.publish('c', 'x', i).dropped).toEqual([]);
      if (i % 5 === 4) expect(f.take('a')).toHaveLength(5);
    }
    expect(f.queued('a')).toEqual({ messages: 0, bytes: 0 });
  });

  it('unsubscribes, removes and validates limits', () => {
    const f = new FanOut();
    f.subscribe('a', 'c1');
    f.subscribe('a', 'c2');
    f.unsubscribe('a', 'c1');
    expect(f.members('c1')).toEqual([]);
    expect(f.remove('a')).toBe(true);
    expect(f.members('c2')).toEqual([]);
    expect(f.remove('a')).toBe(false);
    expect(f.send('a', 'x', 0)).toBeNull();
    expect(() => new FanOut({ maxLagMs: 0 })).toThrow(expect.objectContaining({ code: 'VANE_ERR_VALIDATION' }));
  });
});
