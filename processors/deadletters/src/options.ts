/** The dead-letter loader has no options beyond where it writes (runtime connections). */
export type DeadlettersOptions = Record<string, never>;

export function deadlettersOptions(raw: Record<string, unknown>): DeadlettersOptions {
  const unknown = Object.keys(raw);
  if (unknown.length > 0) throw new Error(`deadletters takes no options (got ${unknown.join(', ')})`);
  return {};
}
