/**
 * Reading untyped JSON the way Ichnaea's schemas do: unknown keys are
 * ignored, an absent or null field is "not sent", numbers may come as
 * numbers or numeric strings (integers are truncated), and a value of the
 * wrong type is a validation error recorded under its dotted path
 * ("wifiAccessPoints.0.signalStrength"), which makes the whole body a
 * parseError. Range checks are not done here (see field-limits.ts).
 */
export type JsonObject = Record<string, unknown>;

const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

export class FieldReader {
  readonly errors: Record<string, string> = {};

  get failed(): boolean {
    return Object.keys(this.errors).length > 0;
  }

  fail(path: string, message: string): void {
    if (!(path in this.errors)) this.errors[path] = message;
  }

  /** The value as a mapping; records an error and returns null for anything else. */
  object(value: unknown, path: string): JsonObject | null {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
    this.fail(path, `${show(value)} is not a mapping type`);
    return null;
  }

  /** An optional list; absent or null gives []. */
  list(obj: JsonObject, key: string, path: string): unknown[] {
    const value = obj[key];
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value;
    this.fail(join(path, key), `${show(value)} is not iterable`);
    return [];
  }

  /** An optional nested mapping; absent or null gives null. */
  child(obj: JsonObject, key: string, path: string): JsonObject | null {
    const value = obj[key];
    if (value === undefined || value === null) return null;
    return this.object(value, join(path, key));
  }

  int(obj: JsonObject, key: string, path: string): number | null {
    const n = this.number(obj, key, path);
    return n === null ? null : Math.trunc(n);
  }

  float(obj: JsonObject, key: string, path: string): number | null {
    return this.number(obj, key, path);
  }

  string(obj: JsonObject, key: string, path: string): string | null {
    const value = obj[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.fail(join(path, key), `${show(value)} is not a string`);
    return null;
  }

  boolean(obj: JsonObject, key: string, path: string): boolean | null {
    const value = obj[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value;
    if (value === 1 || value === 0) return value === 1;
    if (typeof value === 'string') {
      const lower = value.trim().toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
    }
    this.fail(join(path, key), `${show(value)} is neither true nor false`);
    return null;
  }

  private number(obj: JsonObject, key: string, path: string): number | null {
    const value = obj[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
    this.fail(join(path, key), `${show(value)} is not a number`);
    return null;
  }
}

export function join(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return `"${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
}
