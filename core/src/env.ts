import { VaneError } from './errors';

/** The environment as entry files receive it (`process.env`, or a test's object). */
export type Env = Record<string, string | undefined>;

export interface IntRange {
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
}

export interface NumberRange extends IntRange {
  /** Values must be greater than this (exclusive), e.g. 0 for "positive". */
  above?: number;
  /** Values must be less than this (exclusive). */
  below?: number;
}

type WithDefault<O, T> = O & { default: T };

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function rangeText(range: NumberRange): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`≥ ${range.min}`);
  if (range.above !== undefined) parts.push(`> ${range.above}`);
  if (range.max !== undefined) parts.push(`≤ ${range.max}`);
  if (range.below !== undefined) parts.push(`< ${range.below}`);
  return parts.join(' and ');
}

function inRange(value: number, range: NumberRange): boolean {
  return (
    (range.min === undefined || value >= range.min) &&
    (range.max === undefined || value <= range.max) &&
    (range.above === undefined || value > range.above) &&
    (range.below === undefined || value < range.below)
  );
}

/**
 * Typed, validated reads of an environment. A variable that is unset or
 * empty takes the default (or is `undefined` without one); a value the getter
 * cannot accept throws VaneError('VANE_ERR_CONFIG') whose message names the
 * variable, the value and what is accepted, e.g.
 * `VANE_MAX_BATCH_RECORDS=abc is not an integer ≥ 1`. Entry files build each
 * component's options with one reader, so a bad value stops the component
 * before it connects anywhere.
 */
export class EnvReader {
  constructor(readonly env: Env) {}

  /** The raw value, or undefined when unset or empty. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  private fail(name: string, raw: string, accepted: string): never {
    throw new VaneError('VANE_ERR_CONFIG', `${name}=${raw} is not ${accepted}`);
  }

  string(name: string, options: { default: string }): string;
  string(name: string, options?: { default?: string }): string | undefined;
  string(name: string, options: { default?: string } = {}): string | undefined {
    return this.raw(name) ?? options.default;
  }

  /** One of a fixed set of words. */
  oneOf<T extends string>(name: string, values: readonly T[], options: { default: T }): T;
  oneOf<T extends string>(name: string, values: readonly T[], options?: { default?: T }): T | undefined;
  oneOf<T extends string>(name: string, values: readonly T[], options: { default?: T } = {}): T | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return options.default;
    if (!(values as readonly string[]).includes(raw)) this.fail(name, raw, `one of ${values.join(', ')}`);
    return raw as T;
  }

  /** A decimal integer within the range. */
  int(name: string, options: WithDefault<IntRange, number>): number;
  int(name: string, options?: IntRange & { default?: number }): number | undefined;
  int(name: string, options: IntRange & { default?: number } = {}): number | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return options.default;
    const range = rangeText(options);
    const accepted = `an integer${range ? ` ${range}` : ''}`;
    if (!INTEGER.test(raw.trim())) this.fail(name, raw, accepted);
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || !inRange(value, options)) this.fail(name, raw, accepted);
    return value;
  }

  /** A TCP/UDP port, 1-65535. */
  port(name: string, options: { default: number }): number;
  port(name: string, options?: { default?: number }): number | undefined;
  port(name: string, options: { default?: number } = {}): number | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return options.default;
    const value = Number(raw);
    if (!INTEGER.test(raw.trim()) || !Number.isInteger(value) || value < 1 || value > 65535) this.fail(name, raw, 'a TCP port (1-65535)');
    return value;
  }

  /** A decimal number (fractions and exponents allowed) within the range. */
  number(name: string, options: WithDefault<NumberRange, number>): number;
  number(name: string, options?: NumberRange & { default?: number }): number | undefined;
  number(name: string, options: NumberRange & { default?: number } = {}): number | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return options.default;
    const range = rangeText(options);
    const accepted = `a number${range ? ` ${range}` : ''}`;
    const value = Number(raw);
    if (!DECIMAL.test(raw.trim()) || !Number.isFinite(value) || !inRange(value, options)) this.fail(name, raw, accepted);
    return value;
  }

  /** true/false, 1/0, yes/no, on/off (any case). */
  bool(name: string, options: { default: boolean }): boolean;
  bool(name: string, options?: { default?: boolean }): boolean | undefined;
  bool(name: string, options: { default?: boolean } = {}): boolean | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return options.default;
    const word = raw.trim().toLowerCase();
    if (TRUE.has(word)) return true;
    if (FALSE.has(word)) return false;
    return this.fail(name, raw, 'a boolean (true/false, 1/0, yes/no, on/off)');
  }

  /** A comma-separated list; items are trimmed and empty ones dropped. */
  list(name: string, options: { default: string[] }): string[];
  list(name: string, options?: { default?: string[] }): string[] | undefined;
  list(name: string, options: { default?: string[] } = {}): string[] | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return options.default;
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

/** A reader over `env` (entry files pass `process.env`). */
export function readEnv(env: Env): EnvReader {
  return new EnvReader(env);
}
