import { badInput } from './errors';

/**
 * The websocket protocol of report pages (`/api/v1/live`, JSON text frames,
 * one message per frame). Version 1.
 *
 * Client → gateway:
 *   {"type":"subscribe","v":1,"id":"c1","siteId":"site-1","readKey":"…","streams":["model","geo"]}
 *   {"type":"unsubscribe","v":1,"id":"c1"}
 *   {"type":"ping","v":1,"nonce":"…"}
 * Gateway → client:
 *   {"type":"subscribed","v":1,"id":"c1","siteId":"site-1","streams":[…]}
 *   {"type":"model","v":1,"id":"c1","siteId":"site-1","seq":0,"minutes":[…]}   initial model (recent minutes)
 *   {"type":"delta","v":1,"id":"c1","siteId":"site-1","seq":n,"minutes":[…]}   minutes that changed since seq n−1
 *   {"type":"geo","v":1,"id":"c1","siteId":"site-1","seq":n,"minutes":[…]}     geo buckets (initial: seq 0)
 *   {"type":"error","v":1,"id":"c1"|null,"code":"VANE_ERR_…","message":"…"}
 *   {"type":"dropped","v":1,"reason":"slow_consumer"|"queue_bytes"|"shutdown","message":"…"} then close
 *   {"type":"pong","v":1,"nonce":"…"}
 *
 * Contract:
 * - A subscription is authorised by the site's read key; an unknown key and
 *   another site's key get the same answer (`error` with VANE_ERR_NOT_FOUND,
 *   as the HTTP API's 404), so keys cannot be probed for sites.
 * - `seq` counts the messages of one subscription and stream from 0 (the
 *   initial model); a gap means messages were lost and the client should
 *   resubscribe. Minutes carry totals as known now, so a delta replaces the
 *   minutes it names (applying one twice is harmless).
 * - Minute payloads are the gateway's to define (SiteFigures of
 *   @vane/analytics, Glow documents of @vane/geo); this module checks their
 *   envelope only.
 * - A client frame larger than `MAX_CLIENT_FRAME` bytes, not JSON, or not
 *   one of the client messages is refused with VANE_ERR_BAD_INPUT.
 */
export const PROTOCOL_VERSION = 1;
export const MAX_CLIENT_FRAME = 4_096;

export const streams = ['model', 'geo'] as const;
export type Stream = (typeof streams)[number];

export const dropReasons = ['slow_consumer', 'queue_bytes', 'shutdown'] as const;
export type SubscriberDropReason = (typeof dropReasons)[number];

export type ClientMessage =
  | { type: 'subscribe'; v: 1; id: string; siteId: string; readKey: string; streams: Stream[] }
  | { type: 'unsubscribe'; v: 1; id: string }
  | { type: 'ping'; v: 1; nonce: string };

export type ServerMessage<Minute = unknown, GeoMinute = unknown> =
  | { type: 'subscribed'; v: 1; id: string; siteId: string; streams: Stream[] }
  | { type: 'model'; v: 1; id: string; siteId: string; seq: 0; minutes: Minute[] }
  | { type: 'delta'; v: 1; id: string; siteId: string; seq: number; minutes: Minute[] }
  | { type: 'geo'; v: 1; id: string; siteId: string; seq: number; minutes: GeoMinute[] }
  | { type: 'error'; v: 1; id: string | null; code: string; message: string }
  | { type: 'dropped'; v: 1; reason: SubscriberDropReason; message: string }
  | { type: 'pong'; v: 1; nonce: string };

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function field(obj: Record<string, unknown>, name: string, test: (v: unknown) => boolean, what: string): unknown {
  const v = obj[name];
  if (!test(v)) throw badInput(`websocket message ${String(obj.type)}: "${name}" must be ${what}`, 'VANE_ERR_VALIDATION');
  return v;
}

const isId = (v: unknown) => typeof v === 'string' && ID.test(v);
const isKey = (v: unknown) => typeof v === 'string' && v.length >= 8 && v.length <= 256;

/** Parses and validates a client frame (text or bytes). */
export function decodeClientMessage(frame: string | Uint8Array): ClientMessage {
  const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
  if (size > MAX_CLIENT_FRAME) throw badInput(`websocket message of ${size} bytes is over the ${MAX_CLIENT_FRAME}-byte limit`);
  let raw: unknown;
  try {
    raw = JSON.parse(typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8'));
  } catch {
    throw badInput('websocket message is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badInput('websocket message must be a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.v !== PROTOCOL_VERSION) throw badInput(`websocket message: "v" must be ${PROTOCOL_VERSION}`);
  switch (m.type) {
    case 'subscribe': {
      const id = field(m, 'id', isId, 'an id of 1–64 letters, digits, "_.:-"') as string;
      const siteId = field(m, 'siteId', isId, 'a site id') as string;
      const readKey = field(m, 'readKey', isKey, "the site's read key") as string;
      const wanted = m.streams === undefined ? ['model'] : field(m, 'streams', (v) => Array.isArray(v) && v.length > 0 && v.every((s) => (streams as readonly unknown[]).includes(s)), 'a non-empty list of "model", "geo"');
      return { type: 'subscribe', v: 1, id, siteId, readKey, streams: [...new Set(wanted as Stream[])] };
    }
    case 'unsubscribe':
      return { type: 'unsubscribe', v: 1, id: field(m, 'id', isId, 'a subscription id') as string };
    case 'ping':
      return { type: 'ping', v: 1, nonce: field(m, 'nonce', (v) => typeof v === 'string' && v.length <= 64, 'a string of at most 64 characters') as string };
    default:
      throw badInput(`websocket message type ${JSON.stringify(m.type)} is not subscribe, unsubscribe or ping`);
  }
}

/** Encodes a gateway message as one text frame. */
export function encodeServerMessage<M, G>(message: ServerMessage<M, G>): string {
  return JSON.stringify(message);
}

/** Parses a gateway frame (clients, tests); checks the envelope of each message type. */
export function decodeServerMessage(frame: string): ServerMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(frame);
  } catch {
    throw badInput('server message is not JSON');
  }
  const m = raw as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || m.v !== PROTOCOL_VERSION) throw badInput('server message has no protocol version 1');
  const seqOk = Number.isInteger(m.seq) && (m.seq as number) >= 0;
  switch (m.type) {
    case 'subscribed':
      if (isId(m.id) && isId(m.siteId) && Array.isArray(m.streams)) return m as ServerMessage;
      break;
    case 'model':
      if (isId(m.id) && isId(m.siteId) && m.seq === 0 && Array.isArray(m.minutes)) return m as ServerMessage;
      break;
    case 'delta':
    case 'geo':
      if (isId(m.id) && isId(m.siteId) && seqOk && Array.isArray(m.minutes)) return m as ServerMessage;
      break;
    case 'error':
      if ((m.id === null || isId(m.id)) && typeof m.code === 'string' && typeof m.message === 'string') return m as ServerMessage;
      break;
    case 'dropped':
      if ((dropReasons as readonly unknown[]).includes(m.reason) && typeof m.message === 'string') return m as ServerMessage;
      break;
    case 'pong':
      if (typeof m.nonce === 'string') return m as ServerMessage;
      break;
  }
  throw badInput(`server message ${JSON.stringify(m.type)} is malformed`);
}
