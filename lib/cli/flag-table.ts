import { InputError } from '../errors.ts';

/** What every flag has: its one-line help and an optional one-letter alias. */
interface FlagBase {
  readonly short?: string;
  /** The long name without dashes; default: the table key in kebab-case (skipTags -> skip-tags). */
  readonly long?: string;
  readonly description: string;
}

export interface BooleanFlag extends FlagBase {
  readonly kind: 'boolean';
}

/** Counted each time it appears: -v, -vv, -vvv, -v -v. */
export interface CountFlag extends FlagBase {
  readonly kind: 'count';
}

/** One value; the last one given wins. */
export interface ValueFlag<T = unknown> extends FlagBase {
  readonly kind: 'value';
  /** Names the value in help, like argparse's metavar: `--forks N`. */
  readonly valueName: string;
  /** Raw default, parsed like user input and shown in help. */
  readonly default?: string;
  /** Turn the raw text into the value; throw flagError() when it is bad. */
  readonly parse?: (raw: string, flag: string) => T;
}

/** Repeatable; values kept in the order given. */
export interface ListFlag<T = unknown> extends FlagBase {
  readonly kind: 'list';
  readonly valueName: string;
  /** Also split each value at commas: `-t a,b -t c` gives [a, b, c]. */
  readonly commaSeparated?: boolean;
  readonly parse?: (raw: string, flag: string) => T;
}

export type FlagSpec = BooleanFlag | CountFlag | ValueFlag | ListFlag;
export type FlagTable = Readonly<Record<string, FlagSpec>>;

type Parsed<S> = S extends { parse: (raw: string, flag: string) => infer T } ? T : string;

/** The type a flag parses to: boolean, number of times, value (undefined without default), or list. */
export type FlagValue<S extends FlagSpec> = S extends { kind: 'boolean' }
  ? boolean
  : S extends { kind: 'count' }
    ? number
    : S extends { kind: 'list' }
      ? Parsed<S>[]
      : S extends { default: string }
        ? Parsed<S>
        : Parsed<S> | undefined;

export type ParsedFlags<T extends FlagTable> = { -readonly [K in keyof T]: FlagValue<T[K]> };

/** Keeps the literal types of a table (so parse results are typed) while checking its shape. */
export function defineFlags<const T extends FlagTable>(table: T): T {
  return table;
}

export function longName(key: string, spec: FlagSpec): string {
  return spec.long ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function flagError(flag: string, message: string): InputError {
  return new InputError(`${flag}: ${message}`);
}

/** Parsers for the common value shapes; each names the flag in its error. */
export function positiveInteger(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw flagError(flag, `expected a whole number of at least 1, got "${raw}"`);
  return Number(raw);
}

/** Seconds (decimals allowed), returned in milliseconds. */
export function positiveSecondsAsMs(raw: string, flag: string): number {
  const seconds = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(seconds > 0)) throw flagError(flag, `expected a number of seconds above 0, got "${raw}"`);
  return Math.round(seconds * 1000);
}
