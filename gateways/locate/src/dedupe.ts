/**
 * Duplicate entries (the same network sent twice in one query or report)
 * collapse into the better one. "Better" is decided by a list of fields in
 * order of importance: the first field that both entries have and on which
 * they differ decides; when none does, the first entry sent is kept. The
 * order of first appearance is kept.
 */
export type Comparator<T> = [field: (entry: T) => number | null, higherIsBetter: boolean];

function isBetter<T>(a: T, b: T, comparators: readonly Comparator<T>[]): boolean {
  for (const [field, higherIsBetter] of comparators) {
    const x = field(a);
    const y = field(b);
    if (x === null || y === null || x === y) continue;
    return higherIsBetter ? x > y : x < y;
  }
  return false;
}

export function dedupe<T>(entries: readonly T[], key: (entry: T) => string, comparators: readonly Comparator<T>[]): T[] {
  const kept = new Map<string, T>();
  for (const entry of entries) {
    const k = key(entry);
    const existing = kept.get(k);
    if (existing === undefined || isBetter(entry, existing, comparators)) kept.set(k, entry);
  }
  return [...kept.values()];
}
