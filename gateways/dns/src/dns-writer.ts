import ipaddr from 'ipaddr.js';

/**
 * Encodes the gateway's answers (RFC 1035 §4.1, RFC 6891 OPT, RFC 7871
 * ECS) straight into a Buffer. dns2's encoder builds messages bit by bit in
 * arrays and re-serialises the whole message after every record, which
 * costs more than everything else the gateway does; answers here are the
 * few record types an authoritative decision server gives, so they are
 * written directly:
 *
 * - the question is copied byte for byte from the query (case kept for
 *   0x20-randomising resolvers);
 * - owner names that are the query name, or a zone it lies in, are
 *   compression pointers into that question.
 */
export const T = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, OPT: 41 } as const;

export type Rr =
  | { type: typeof T.A | typeof T.AAAA; owner: Owner; ttl: number; address: string }
  | { type: typeof T.CNAME | typeof T.NS; owner: Owner; ttl: number; target: string }
  | { type: typeof T.SOA; owner: Owner; ttl: number; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

/** An owner name: the query name, the query name less its first `suffixOfQuery` labels (a zone it is in), or any name. */
export type Owner = { query: true } | { suffixOfQuery: number } | { name: string };

export interface OptOut {
  udpPayloadSize: number;
  /** High 8 bits of a 12-bit RCODE (BADVERS = 1). */
  extendedRcode: number;
  ecs: { family: number; sourcePrefix: number; scopePrefix: number; address: string } | null;
}

export interface ResponseSpec {
  /** The query message (its id, flags and question are reused). */
  query: Buffer;
  /** End of the question in the query (from the wire walk). */
  questionEnd: number;
  aa: boolean;
  tc: boolean;
  rcode: number;
  answers: Rr[];
  authorities: Rr[];
  opt: OptOut | null;
}

class Writer {
  buf: Buffer;
  len = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  bytes(b: Buffer | number[]): void {
    this.room(b.length);
    if (Buffer.isBuffer(b)) b.copy(this.buf, this.len);
    else for (let i = 0; i < b.length; i++) this.buf[this.len + i] = b[i]!;
    this.len += b.length;
  }

  /** An uncompressed name (lower case as given; the root for ""). */
  name(name: string): void {
    for (const label of name.replace(/\.$/, '').split('.')) {
      if (label === '') continue;
      const bytes = Buffer.from(label, 'ascii');
      this.u8(bytes.length);
      this.bytes(bytes);
    }
    this.u8(0);
  }
}

/** Offset in the query of the name `labels` labels up from the query name (the question starts at 12). */
function suffixOffset(query: Buffer, labels: number): number {
  let o = 12;
  for (let i = 0; i < labels; i++) o += query[o]! + 1;
  return o;
}

function owner(w: Writer, query: Buffer, o: Owner): void {
  if ('query' in o) w.u16(0xc000 | 12);
  else if ('suffixOfQuery' in o) w.u16(0xc000 | suffixOffset(query, o.suffixOfQuery));
  else w.name(o.name);
}

function record(w: Writer, query: Buffer, rr: Rr): void {
  owner(w, query, rr.owner);
  w.u16(rr.type);
  w.u16(1); // IN
  w.u32(Math.min(rr.ttl >>> 0, 0x7fffffff));
  const lengthAt = w.len;
  w.u16(0);
  const start = w.len;
  switch (rr.type) {
    case T.A:
    case T.AAAA:
      w.bytes(ipaddr.parse(rr.address).toByteArray());
      break;
    case T.CNAME:
    case T.NS:
      w.name(rr.target);
      break;
    case T.SOA:
      w.name(rr.mname);
      w.name(rr.rname);
      w.u32(rr.serial);
      w.u32(rr.refresh);
      w.u32(rr.retry);
      w.u32(rr.expire);
      w.u32(rr.minimum);
      break;
  }
  w.buf.writeUInt16BE(w.len - start, lengthAt);
}

function opt(w: Writer, o: OptOut): void {
  w.u8(0); // root
  w.u16(T.OPT);
  w.u16(o.udpPayloadSize);
  w.u32((o.extendedRcode & 0xff) << 24); // version 0, DO clear
  if (!o.ecs) {
    w.u16(0);
    return;
  }
  const bytes = ipaddr.parse(o.ecs.address).toByteArray().slice(0, Math.ceil(o.ecs.sourcePrefix / 8));
  w.u16(4 + 4 + bytes.length);
  w.u16(8);
  w.u16(4 + bytes.length);
  w.u16(o.ecs.family);
  w.u8(o.ecs.sourcePrefix);
  w.u8(o.ecs.scopePrefix);
  w.bytes(bytes);
}

/** The response's bytes; with `tc`, only the header, the question and OPT. */
export function encodeResponse(spec: ResponseSpec): Buffer {
  const { query } = spec;
  const w = new Writer(512);
  const answers = spec.tc ? [] : spec.answers;
  const authorities = spec.tc ? [] : spec.authorities;
  w.u16(query.readUInt16BE(0));
  // QR, the query's opcode and RD; AA, TC as decided; RA clear.
  w.u8(0x80 | (query[2]! & 0x79) | (spec.aa ? 0x04 : 0) | (spec.tc ? 0x02 : 0));
  // Z and AD clear, CD echoed, RCODE's low 4 bits.
  w.u8((query[3]! & 0x10) | (spec.rcode & 0x0f));
  w.u16(1);
  w.u16(answers.length);
  w.u16(authorities.length);
  w.u16(spec.opt ? 1 : 0);
  w.bytes(query.subarray(12, spec.questionEnd));
  for (const rr of answers) record(w, query, rr);
  for (const rr of authorities) record(w, query, rr);
  if (spec.opt) opt(w, spec.opt);
  return w.buf.subarray(0, w.len);
}
