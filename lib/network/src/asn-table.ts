import { readFileSync } from 'node:fs';

/**
 * Autonomous-system lookup from the `@ip-location-db/asn` CSV tables
 * (`asn-ipv4-num.csv`, `asn-ipv6-num.csv`: inclusive ranges
 * `start,end,asn,organisation`, numeric addresses). Held as sorted typed
 * arrays and searched by bisection; IPv6 ranges are held by their upper 64
 * bits, which is all a /48-truncated address has.
 */
export interface AsnAnswer {
  asn: number;
  org: string | null;
}

/** Splits one CSV line of 4 fields where only the last may be quoted. */
function fields(line: string): [string, string, string, string] | null {
  const a = line.indexOf(',');
  const b = line.indexOf(',', a + 1);
  const c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return null;
  let org = line.slice(c + 1);
  if (org.startsWith('"') && org.endsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), org];
}

class OrgNames {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

export class AsnTable {
  private constructor(
    private readonly v4Start: Uint32Array,
    private readonly v4End: Uint32Array,
    private readonly v4Asn: Uint32Array,
    private readonly v4Org: Uint32Array,
    private readonly v6Start: BigUint64Array,
    private readonly v6End: BigUint64Array,
    private readonly v6Asn: Uint32Array,
    private readonly v6Org: Uint32Array,
    private readonly orgs: string[],
  ) {}

  static load(ipv4NumCsv: string, ipv6NumCsv: string): AsnTable {
    const orgs = new OrgNames();
    const v4 = readFileSync(ipv4NumCsv, 'utf8').split('\n');
    const v4Start = new Uint32Array(v4.length);
    const v4End = new Uint32Array(v4.length);
    const v4Asn = new Uint32Array(v4.length);
    const v4Org = new Uint32Array(v4.length);
    let n4 = 0;
    for (const line of v4) {
      const f = fields(line);
      if (!f) continue;
      v4Start[n4] = Number(f[0]);
      v4End[n4] = Number(f[1]);
      v4Asn[n4] = Number(f[2]);
      v4Org[n4] = orgs.id(f[3]);
      n4++;
    }
    const v6 = readFileSync(ipv6NumCsv, 'utf8').split('\n');
    const v6Start = new BigUint64Array(v6.length);
    const v6End = new BigUint64Array(v6.length);
    const v6Asn = new Uint32Array(v6.length);
    const v6Org = new Uint32Array(v6.length);
    let n6 = 0;
    for (const line of v6) {
      const f = fields(line);
      if (!f) continue;
      const start = BigInt(f[0]) >> 64n;
      const end = BigInt(f[1]) >> 64n;
      // Ranges finer than /64 collapse onto one upper half: keep the first.
      if (n6 > 0 && start <= v6End[n6 - 1]!) continue;
      v6Start[n6] = start;
      v6End[n6] = end;
      v6Asn[n6] = Number(f[2]);
      v6Org[n6] = orgs.id(f[3]);
      n6++;
    }
    return new AsnTable(
      v4Start.subarray(0, n4),
      v4End.subarray(0, n4),
      v4Asn.subarray(0, n4),
      v4Org.subarray(0, n4),
      v6Start.subarray(0, n6),
      v6End.subarray(0, n6),
      v6Asn.subarray(0, n6),
      v6Org.subarray(0, n6),
      orgs.names,
    );
  }

  get size(): { v4: number; v6: number } {
    return { v4: this.v4Start.length, v6: this.v6Start.length };
  }

  /** AS of an IPv4 address given as an unsigned 32-bit number. */
  lookupV4(address: number): AsnAnswer | null {
    const i = lastAtOrBelow(this.v4Start, address);
    if (i < 0 || this.v4End[i]! < address) return null;
    return this.answer(this.v4Asn[i]!, this.v4Org[i]!);
  }

  /** AS of an IPv6 address given by its upper 64 bits. */
  lookupV6(upper64: bigint): AsnAnswer | null {
    const i = lastAtOrBelow(this.v6Start, upper64);
    if (i < 0 || this.v6End[i]! < upper64) return null;
    return this.answer(this.v6Asn[i]!, this.v6Org[i]!);
  }

  private answer(asn: number, org: number): AsnAnswer | null {
    if (asn === 0) return null;
    const name = this.orgs[org] ?? '';
    return { asn, org: name === '' ? null : name };
  }
}

function lastAtOrBelow<T extends number | bigint>(sorted: { length: number; [i: number]: T }, value: T): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
