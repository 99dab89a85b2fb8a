/**
 * Readers of untrusted payload JSON shared by the entity parsers: each gives
 * the value when it has the wanted shape and undefined otherwise, so a parser
 * can drop what it does not understand instead of throwing.
 */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A finite number. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A list of strings (all of them). */
export function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** Lower-case hex SHA-256, as key entities carry it. */
export function isSha256Hex(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{64}$/.test(value);
}

/** The entries of a history list whose action is one of `actions` and that carry a version number. */
export function historyOf<T extends { action: string }>(value: unknown, actions: readonly T['action'][]): T[] {
  if (!Array.isArray(value)) return [];
  return value.filter((h): h is T => isObject(h) && actions.includes(h.action as T['action']) && typeof h.version === 'number');
}
