import { Packet } from 'dns2';

/** Builds DNS query messages the way resolvers send them. */
export interface QueryOptions {
  id?: number;
  type?: number;
  cls?: number;
  /** Add an OPT record (EDNS0) with this UDP payload size. */
  edns?: number;
  ednsVersion?: number;
  /** EDNS Client Subnet "address/prefix". */
  ecs?: string;
}

export function query(name: string, options: QueryOptions = {}): Buffer {
  const q = new Packet();
  q.header.id = options.id ?? 4242;
  q.header.rd = 1;
  q.questions.push({ name, type: options.type ?? Packet.TYPE.A, class: options.cls ?? Packet.CLASS.IN } as Packet.Question);
  if (options.edns !== undefined || options.ecs !== undefined) {
    const rdata = options.ecs ? [ecsOption(options.ecs)] : [];
    const opt = Packet.Resource.EDNS(rdata) as unknown as Record<string, unknown>;
    opt.class = options.edns ?? 1232;
    if (options.ednsVersion) {
      opt.version = options.ednsVersion;
      opt.ttl = options.ednsVersion << 16;
    }
    q.additionals.push(opt as unknown as Packet.Resource);
  }
  return q.toBuffer();
}

function ecsOption(cidr: string): Record<string, unknown> {
  const [ip, prefix] = cidr.split('/');
  return { ednsCode: 8, family: ip!.includes(':') ? 2 : 1, sourcePrefixLength: Number(prefix), scopePrefixLength: 0, ip };
}

export interface Parsed {
  id: number;
  rcode: number;
  aa: number;
  tc: number;
  answers: { name: string; type: number; ttl: number; address?: string; domain?: string; ns?: string; primary?: string; serial?: number; minimum?: number }[];
  authorities: { name: string; type: number; ttl: number }[];
  /** The ECS option of the answer's OPT record, if any. */
  ecs: { sourcePrefixLength: number; scopePrefixLength: number; ip: string } | null;
  opt: { class: number; extendedRcode: number } | null;
  questions: { name: string; type: number }[];
}

export function parse(bytes: Buffer): Parsed {
  const p = Packet.parse(bytes);
  const opt = (p.additionals as unknown as { type: number; class: number; extendedRcode: number; rdata: { ednsCode: number; sourcePrefixLength: number; scopePrefixLength: number; ip: string }[] }[]).find((r) => r.type === 41);
  const ecs = opt?.rdata.find((o) => o.ednsCode === 8);
  return {
    id: p.header.id,
    rcode: p.header.rcode,
    aa: p.header.aa,
    tc: p.header.tc,
    answers: p.answers as unknown as Parsed['answers'],
    authorities: p.authorities as unknown as Parsed['authorities'],
    ecs: ecs ? { sourcePrefixLength: ecs.sourcePrefixLength, scopePrefixLength: ecs.scopePrefixLength, ip: ecs.ip } : null,
    opt: opt ? { class: opt.class, extendedRcode: opt.extendedRcode } : null,
    questions: p.questions.map((q) => ({ name: q.name, type: q.type })),
  };
}
