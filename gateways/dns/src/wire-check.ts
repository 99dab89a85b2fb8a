/**
 * The gateway's reading of a query (RFC 1035 §4.1, RFC 6891, RFC 7871): one
 * pass over the wire format that checks its structure and returns the
 * question and the OPT record. dns2's parser is not used on the hot path:
 * it trusts the header counts (a 12-byte message claiming 65535 records of
 * each section costs it seconds of CPU, one caught exception per missing
 * record), misreads EDNS options it does not know (so an ECS option after a
 * COOKIE comes out wrong), and reads bit by bit. The walk checks that the
 * message is a query this gateway answers:
 *
 * - shorter than a header, or a response (QR = 1): dropped;
 * - counts a query cannot have (QDCOUNT ≠ 1, answers or authority records,
 *   more than 4 additional records), names that overrun the message, labels
 *   over 63 bytes, names over 255 bytes, compression pointers that do not
 *   point backwards, records that overrun the message, trailing bytes, OPT
 *   options that do not fill RDATA exactly, ECS options whose address length
 *   does not match their prefix (RFC 7871 §6): FORMERR.
 * - other opcodes pass (the gateway answers NOTIMP).
 */
/** The OPT record of a query as read from the wire (dns2 misreads options it does not know, so the gateway reads OPT itself). */
export interface WireOpt {
  /** Requestor's UDP payload size. */
  udpPayloadSize: number;
  version: number;
  /** The ECS option: family (1 IPv4, 2 IPv6), SOURCE PREFIX-LENGTH and the address bytes given (zero-padded). */
  ecs: { family: 1 | 2; sourcePrefix: number; address: number[] } | null;
}

/** The question of a query, as sent (the name keeps its case; no trailing dot). */
interface WireQuestion {
  name: string;
  type: number;
  class: number;
}

export type WireVerdict = { kind: 'ok'; opcode: number; question: WireQuestion; opt: WireOpt | null; questionEnd: number } | { kind: 'drop'; why: string } | { kind: 'formerr'; why: string };

const HEADER = 12;
const MAX_ADDITIONAL = 4;

/** End offset of the name starting at `offset`, or a reason it is malformed. */
function skipName(m: Buffer, offset: number): number | string {
  let length = 1;
  for (let o = offset; ; ) {
    if (o >= m.length) return 'a name runs past the end of the message';
    const len = m[o]!;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) {
      if (o + 1 >= m.length) return 'a compression pointer runs past the end of the message';
      const target = ((len & 0x3f) << 8) | m[o + 1]!;
      // Pointers must point backwards, at something already seen: no loops, no forward references.
      if (target >= offset || target < HEADER) return 'a compression pointer does not point backwards into the message';
      return o + 2;
    }
    if (len & 0xc0) return 'a label has a reserved length type';
    length += len + 1;
    if (length > 255) return 'a name is longer than 255 bytes';
    o += len + 1;
  }
}

function readOpt(m: Buffer, udpPayloadSize: number, version: number, start: number, end: number): WireOpt | string {
  const opt: WireOpt = { udpPayloadSize, version, ecs: null };
  for (let o = start; o < end; ) {
    if (o + 4 > end) return 'an EDNS option header overruns the OPT record';
    const code = m.readUInt16BE(o);
    const len = m.readUInt16BE(o + 2);
    if (o + 4 + len > end) return 'an EDNS option overruns the OPT record';
    if (code === 8) {
      if (opt.ecs) return 'two ECS options';
      if (len < 4) return 'an ECS option is shorter than 4 bytes';
      const family = m.readUInt16BE(o + 4);
      const source = m[o + 6]!;
      if (family !== 1 && family !== 2) return `ECS family ${family} is not IPv4 or IPv6`;
      const size = family === 1 ? 4 : 16;
      if (source > size * 8) return `ECS source prefix ${source} is longer than ${size * 8}`;
      if (len !== 4 + Math.ceil(source / 8)) return 'ECS address length does not match its source prefix';
      const address = new Array<number>(size).fill(0);
      for (let i = 0; i < len - 4; i++) address[i] = m[o + 8 + i]!;
      // RFC 7871 §6: bits past SOURCE PREFIX-LENGTH must be zero.
      if (source % 8 !== 0 && len > 4 && (address[len - 5]! & (0xff >> (source % 8))) !== 0) return 'ECS address has bits set past its source prefix';
      opt.ecs = { family, sourcePrefix: source, address };
    }
    o += 4 + len;
  }
  return opt;
}

export function checkWire(m: Buffer): WireVerdict {
  if (m.length < HEADER) return { kind: 'drop', why: `a ${m.length}-byte message has no header` };
  if (m[2]! & 0x80) return { kind: 'drop', why: 'a response, not a query' };
  const qd = m.readUInt16BE(4);
  const an = m.readUInt16BE(6);
  const ns = m.readUInt16BE(8);
  const ar = m.readUInt16BE(10);
  if (qd !== 1) return { kind: 'formerr', why: `${qd} questions` };
  if (an !== 0 || ns !== 0) return { kind: 'formerr', why: 'a query with answer or authority records' };
  if (ar > MAX_ADDITIONAL) return { kind: 'formerr', why: `${ar} additional records` };
  let o = skipName(m, HEADER);
  if (typeof o === 'string') return { kind: 'formerr', why: o };
  o += 4;
  if (o > m.length) return { kind: 'formerr', why: 'the question runs past the end of the message' };
  const questionEnd = o;
  // The question's name is the first in the message: no compression pointer can precede it.
  const labels: string[] = [];
  for (let l = HEADER; m[l]! !== 0; l += m[l]! + 1) labels.push(m.toString('latin1', l + 1, l + 1 + m[l]!));
  const question: WireQuestion = { name: labels.join('.'), type: m.readUInt16BE(questionEnd - 4), class: m.readUInt16BE(questionEnd - 2) };
  let opt: WireOpt | null = null;
  for (let i = 0; i < ar; i++) {
    const end = skipName(m, o);
    if (typeof end === 'string') return { kind: 'formerr', why: end };
    if (end + 10 > m.length) return { kind: 'formerr', why: 'a record header runs past the end of the message' };
    const type = m.readUInt16BE(end);
    const rdlength = m.readUInt16BE(end + 8);
    const rdata = end + 10;
    if (rdata + rdlength > m.length) return { kind: 'formerr', why: 'a record runs past the end of the message' };
    if (type === 41) {
      if (opt) return { kind: 'formerr', why: 'more than one OPT record' };
      if (end !== o + 1) return { kind: 'formerr', why: 'an OPT record not owned by the root' };
      const read = readOpt(m, m.readUInt16BE(end + 2), m[end + 5]!, rdata, rdata + rdlength);
      if (typeof read === 'string') return { kind: 'formerr', why: read };
      opt = read;
    }
    o = rdata + rdlength;
  }
  if (o !== m.length) return { kind: 'formerr', why: `${m.length - o} bytes after the last record` };
  return { kind: 'ok', opcode: (m[2]! >> 3) & 0x0f, question, opt, questionEnd };
}

/** FORMERR for a message with a header: its id, opcode and RD echoed, no sections (RFC 1035 §4.1.1). */
export function formErrFor(m: Buffer): Buffer {
  const out = Buffer.alloc(HEADER);
  out.writeUInt16BE(m.readUInt16BE(0), 0);
  out[2] = 0x80 | (m[2]! & 0x79); // QR, the query's opcode and RD
  out[3] = 1; // RCODE = FORMERR
  return out;
}
