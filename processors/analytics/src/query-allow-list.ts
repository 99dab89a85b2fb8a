/**
 * Query-string allow-list, applied at ingest: personal data sent in query
 * strings (`?email=…`, tokens, ids) must never be stored. Kept parameters:
 * every `utm_*` parameter, `ref`, `source`, and the names a site configures
 * (`extraParams`). Everything else is dropped.
 *
 * Contract:
 * - Names are compared after percent-decoding ("+" as space), case-insensitively
 *   ("UTM_Source" is kept); a name that does not decode is dropped.
 * - Kept pairs keep their original spelling, encoding and order; repeated
 *   names are all kept. A pair without "=" is kept as sent ("?ref").
 * - The result has no leading "?"; it is "" when nothing is kept.
 */
export const DEFAULT_ALLOWED_PARAMS: readonly string[] = ['ref', 'source'];
export const ALLOWED_PARAM_PREFIX = 'utm_';

function decodeName(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return null;
  }
}

/** A reusable predicate for one site's allow-list. */
export function paramAllowList(extraParams: readonly string[] = []): (name: string) => boolean {
  const allowed = new Set([...DEFAULT_ALLOWED_PARAMS, ...extraParams.map((p) => p.toLowerCase())]);
  return (name) => name.startsWith(ALLOWED_PARAM_PREFIX) || allowed.has(name);
}

/** `query` (with or without "?") reduced to the allowed parameters. */
export function allowListQuery(query: string | null | undefined, extraParams: readonly string[] = []): string {
  if (!query) return '';
  const text = query.startsWith('?') ? query.slice(1) : query;
  if (text === '') return '';
  const allowed = paramAllowList(extraParams);
  const kept: string[] = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeName(eq === -1 ? pair : pair.slice(0, eq));
    if (name !== null && allowed(name)) kept.push(pair);
  }
  return kept.join('&');
}

/**
 * An absolute URL with its query string reduced to the allow-list (fragment
 * removed too); the input unchanged when it is not an absolute URL.
 */
export function allowListUrl(url: string, extraParams: readonly string[] = []): string {
  const hash = url.indexOf('#');
  const withoutHash = hash === -1 ? url : url.slice(0, hash);
  const q = withoutHash.indexOf('?');
  if (q === -1) return withoutHash;
  const kept = allowListQuery(withoutHash.slice(q + 1), extraParams);
  return kept === '' ? withoutHash.slice(0, q) : `${withoutHash.slice(0, q)}?${kept}`;
}

/** First value of parameter `name` (case-insensitive) in an allow-listed query, percent-decoded; null when absent or empty. */
export function queryParam(query: string, name: string): string | null {
  if (query === '') return null;
  const wanted = name.toLowerCase();
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (decodeName(pair.slice(0, eq)) !== wanted) continue;
    const raw = pair.slice(eq + 1).replace(/\+/g, ' ');
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
    return value === '' ? null : value;
  }
  return null;
}
