import { badInput } from './errors';
import type { SubscriberDropReason } from './ws-protocol';

/**
 * Fan-out of encoded frames from one Kafka consumer to many websocket
 * subscribers, with bounded memory. Pure: no sockets, no clock (time comes
 * in as `now`). The gateway publishes each frame once per channel (e.g.
 * "model:site-1"); every subscriber of the channel gets it queued (the same
 * string, shared, not copied); the gateway `take`s frames when a socket can
 * write and sends them; it closes the sockets this registry reports dropped.
 *
 * Limits per subscriber (whichever is hit first drops it, with a reason,
 * instead of letting memory grow):
 * - `maxQueuedMessages` frames waiting → `slow_consumer`;
 * - `maxQueuedBytes` bytes waiting → `queue_bytes`;
 * - its oldest waiting frame older than `maxLagMs` (checked on publish and
 *   by `sweep(now)`) → `slow_consumer`.
 * A dropped subscriber is removed from every channel; its queue is freed.
 */
export interface FanOutLimits {
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  maxLagMs: number;
}

export const fanOutDefaults: FanOutLimits = { maxQueuedMessages: 1_000, maxQueuedBytes: 4 * 1024 * 1024, maxLagMs: 10_000 };

export interface DroppedSubscriber {
  subscriberId: string;
  reason: SubscriberDropReason;
  message: string;
}

export interface PublishResult {
  /** Subscribers that got the frame queued (the gateway tries to flush these). */
  queued: string[];
  /** Subscribers dropped now (the gateway sends them a `dropped` message and closes). */
  dropped: DroppedSubscriber[];
}

interface Queued {
  frame: string;
  bytes: number;
  at: number;
}

interface Subscriber {
  channels: Set<string>;
  queue: Queued[];
  head: number;
  bytes: number;
}

export class FanOut {
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly channels = new Map<string, Set<string>>();
  readonly limits: FanOutLimits;

  constructor(limits: Partial<FanOutLimits> = {}) {
    this.limits = { ...fanOutDefaults, ...limits };
    for (const [k, v] of Object.entries(this.limits)) if (!Number.isInteger(v) || v <= 0) throw badInput(`fan-out limit ${k} must be a positive integer, got ${String(v)}`, 'VANE_ERR_VALIDATION');
  }

  /** Adds `subscriberId` to `channel` (creating the subscriber on first use). */
  subscribe(subscriberId: string, channel: string): void {
    let s = this.subscribers.get(subscriberId);
    if (!s) {
      s = { channels: new Set(), queue: [], head: 0, bytes: 0 };
      this.subscribers.set(subscriberId, s);
    }
    s.channels.add(channel);
    let members = this.channels.get(channel);
    if (!members) {
      members = new Set();
      this.channels.set(channel, members);
    }
    members.add(subscriberId);
  }

  unsubscribe(subscriberId: string, channel: string): void {
    this.subscribers.get(subscriberId)?.channels.delete(channel);
    const members = this.channels.get(channel);
    members?.delete(subscriberId);
    if (members?.size === 0) this.channels.delete(channel);
  }

  /** Forgets a subscriber (socket closed); returns whether it existed. */
  remove(subscriberId: string): boolean {
    const s = this.subscribers.get(subscriberId);
    if (!s) return false;
    for (const c of s.channels) this.unsubscribe(subscriberId, c);
    this.subscribers.delete(subscriberId);
    return true;
  }

  /** Queues `frame` for `subscriberId` alone (initial model, errors); may drop it. */
  send(subscriberId: string, frame: string, now: number): DroppedSubscriber | null {
    const s = this.subscribers.get(subscriberId);
    if (!s) return null;
    return this.enqueue(subscriberId, s, frame, Buffer.byteLength(frame), now);
  }

  /** Queues `frame` for every subscriber of `channel`. */
  publish(channel: string, frame: string, now: number): PublishResult {
    const result: PublishResult = { queued: [], dropped: [] };
    const members = this.channels.get(channel);
    if (!members) return result;
    const bytes = Buffer.byteLength(frame);
    for (const id of [...members]) {
      const d = this.enqueue(id, this.subscribers.get(id)!, frame, bytes, now);
      if (d) result.dropped.push(d);
      else result.queued.push(id);
    }
    return result;
  }

  private enqueue(id: string, s: Subscriber, frame: string, bytes: number, now: number): DroppedSubscriber | null {
    const waiting = s.queue.length - s.head;
    const oldest = waiting > 0 ? s.queue[s.head]!.at : now;
    let drop: DroppedSubscriber | null = null;
    if (waiting + 1 > this.limits.maxQueuedMessages) drop = { subscriberId: id, reason: 'slow_consumer', message: `${waiting} messages were waiting (limit ${this.limits.maxQueuedMessages})` };
    else if (s.bytes + bytes > this.limits.maxQueuedBytes) drop = { subscriberId: id, reason: 'queue_bytes', message: `${s.bytes + bytes} bytes would be waiting (limit ${this.limits.maxQueuedBytes})` };
    else if (now - oldest > this.limits.maxLagMs) drop = { subscriberId: id, reason: 'slow_consumer', message: `the oldest waiting message is ${now - oldest} ms old (limit ${this.limits.maxLagMs} ms)` };
    if (drop) {
      this.remove(id);
      return drop;
    }
    s.queue.push({ frame, bytes, at: now });
    s.bytes += bytes;
    return null;
  }

  /** Takes up to `maxBytes` of waiting frames (at least one if any wait), oldest first. */
  take(subscriberId: string, maxBytes = Number.POSITIVE_INFINITY): string[] {
    const s = this.subscribers.get(subscriberId);
    if (!s) return [];
    const out: string[] = [];
    let taken = 0;
    while (s.head < s.queue.length) {
      const q = s.queue[s.head]!;
      if (out.length > 0 && taken + q.bytes > maxBytes) break;
      out.push(q.frame);
      taken += q.bytes;
      s.bytes -= q.bytes;
      s.head++;
    }
    if (s.head > 64 && s.head * 2 > s.queue.length) {
      s.queue = s.queue.slice(s.head);
      s.head = 0;
    }
    return out;
  }

  /** Drops every subscriber whose oldest waiting frame is older than maxLagMs at `now`. */
  sweep(now: number): DroppedSubscriber[] {
    const dropped: DroppedSubscriber[] = [];
    for (const [id, s] of [...this.subscribers]) {
      if (s.head < s.queue.length && now - s.queue[s.head]!.at > this.limits.maxLagMs) {
        dropped.push({ subscriberId: id, reason: 'slow_consumer', message: `the oldest waiting message is ${now - s.queue[s.head]!.at} ms old (limit ${this.limits.maxLagMs} ms)` });
        this.remove(id);
      }
    }
    return dropped;
  }

  queued(subscriberId: string): { messages: number; bytes: number } | null {
    const s = this.subscribers.get(subscriberId);
    return s ? { messages: s.queue.length - s.head, bytes: s.bytes } : null;
  }

  /** Subscribers of a channel (e.g. to know whether the gateway needs its stream at all). */
  members(channel: string): string[] {
    return [...(this.channels.get(channel) ?? [])];
  }

  get size(): number {
    return this.subscribers.size;
  }
}

/** The channel name of a site's stream. */
export function channelOf(stream: 'model' | 'geo', siteId: string): string {
  return `${stream}:${siteId}`;
}
