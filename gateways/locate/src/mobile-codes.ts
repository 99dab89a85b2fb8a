import { all as allOperators } from 'mcc-mnc-list';
import { countries } from 'countries-list';

/**
 * Mobile country codes → regions, from the `mcc-mnc-list` package (the
 * operators of Wikipedia's "Mobile country code" lists, MIT licensed).
 * Only national networks count (test and international MCCs such as 001,
 * 901 are not valid in queries). A shared code ("BQ/CW/SX") stands for each
 * of its regions; a subdivision code ("GE-AB") for its country. Region names
 * are the English names of `countries-list` (ISO 3166-1 alpha-2), so a
 * region is answered as ISO codes, not Ichnaea's GENC variants.
 */
interface MccTables {
  /** mcc → region → number of operators listed for it. */
  byMcc: Map<number, Map<string, number>>;
  /** "mcc|mnc" → regions of that operator. */
  byOperator: Map<string, string[]>;
}

let tables: MccTables | null = null;

function load(): MccTables {
  if (tables !== null) return tables;
  const byMcc = new Map<number, Map<string, number>>();
  const byOperator = new Map<string, string[]>();
  for (const op of allOperators()) {
    if (op.type !== 'National' || !op.countryCode) continue;
    const mcc = Number(op.mcc);
    if (!Number.isInteger(mcc) || mcc < 1 || mcc > 999) continue;
    const regions = [...new Set(op.countryCode.split('/').map((code) => code.slice(0, 2).toUpperCase()))].filter((c) => /^[A-Z]{2}$/.test(c));
    if (regions.length === 0) continue;
    const counts = byMcc.get(mcc) ?? new Map<string, number>();
    for (const region of regions) counts.set(region, (counts.get(region) ?? 0) + 1);
    byMcc.set(mcc, counts);
    const mnc = Number(op.mnc);
    if (Number.isInteger(mnc)) {
      const key = `${mcc}|${mnc}`;
      byOperator.set(key, [...new Set([...(byOperator.get(key) ?? []), ...regions])]);
    }
  }
  tables = { byMcc, byOperator };
  return tables;
}

/** Whether `mcc` is a national mobile country code in use. */
export function isKnownMcc(mcc: number): boolean {
  return load().byMcc.has(mcc);
}

/** Every region an MCC is used in, sorted; [] for an unknown MCC. */
export function regionsForMcc(mcc: number): string[] {
  return [...(load().byMcc.get(mcc)?.keys() ?? [])].sort();
}

/**
 * Regions of one network: the operator's own regions when (mcc, mnc) is
 * listed, else every region of the MCC.
 */
export function regionsForNetwork(mcc: number, mnc: number): string[] {
  const own = load().byOperator.get(`${mcc}|${mnc}`);
  return own !== undefined ? [...own].sort() : regionsForMcc(mcc);
}

/** English name of an ISO 3166-1 alpha-2 region, or null when unknown. */
export function regionName(code: string): string | null {
  const entry = (countries as Record<string, { name: string } | undefined>)[code.toUpperCase()];
  return entry?.name ?? null;
}
