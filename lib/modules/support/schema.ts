import { oneOf, requireObject } from './args.ts';

/**
 * One argument of a module, declared once: its TypeScript type (from check's return type), its
 * check on the controller, and its line in the module reference (docs/modules.md).
 */
export interface ArgSpec<T, Required extends boolean = boolean> {
  readonly required: Required;
  /** The type as the reference shows it: "string", "'present' | 'absent'", "number (s)". */
  readonly type: string;
  readonly doc: string;
  /** What an omitted optional argument stands for, as the reference shows it: "'present'", "120", "true". */
  readonly default?: string;
  /** Throws ModuleArgsError naming the field. An optional argument's check sees only given values. */
  readonly check: (value: unknown, field: string) => T;
}

type AnyArgSpec = ArgSpec<unknown> | ArgSpec<unknown, true> | ArgSpec<unknown, false>;
export type ArgSpecs = Record<string, AnyArgSpec>;

type ValueOf<S> = S extends ArgSpec<infer T, boolean> ? T : never;
type Flatten<T> = { [K in keyof T]: T[K] };

/** The arguments object the specs describe: required ones present, optional ones may be left out. */
export type ArgsFrom<S extends ArgSpecs> = Flatten<
  { -readonly [K in keyof S as S[K] extends ArgSpec<unknown, true> ? K : never]: ValueOf<S[K]> } & {
    -readonly [K in keyof S as S[K] extends ArgSpec<unknown, true> ? never : K]?: ValueOf<S[K]>;
  }
>;

export interface ModuleDoc {
  /** What the module does, one or two sentences. */
  readonly summary: string;
  /** What --check does with it: what it reads, what it reports. */
  readonly checkMode: string;
  /** What else a user needs to know that an argument cannot say: how it works, its limits, how it was verified (markdown, one paragraph each). */
  readonly notes?: readonly string[];
}

export interface ArgsSchema<A> {
  readonly args: ArgSpecs;
  readonly doc: ModuleDoc;
  /** Every argument checked alone in declaration order, then the rules across them; returns args itself. */
  validate(args: A): A;
}

/** The arguments type a schema declares: `export type GroupArgs = SchemaArgs<typeof groupArgs>`. */
export type SchemaArgs<S> = S extends ArgsSchema<infer A> ? A : never;

export function required<T>(type: string, check: (value: unknown, field: string) => T, doc: string): ArgSpec<T, true> {
  return { required: true, type, doc, check };
}

/** shownDefault: what leaving the argument out means, for the reference ("'present'", "120"); the module applies it. */
export function optional<T>(type: string, check: (value: unknown, field: string) => T | undefined, doc: string, shownDefault?: string): ArgSpec<Exclude<T, undefined>, false> {
  return { required: false, type, doc, ...(shownDefault === undefined ? {} : { default: shownDefault }), check: check as (value: unknown, field: string) => Exclude<T, undefined> };
}

/** One of these strings; the reference lists them. */
export function choice<const T extends string>(allowed: readonly T[]): (value: unknown, field: string) => T {
  return (value, field) => oneOf(value, allowed, field);
}

/** The reference's type for a choice: 'a' | 'b'. */
export function choiceType(allowed: readonly string[]): string {
  return allowed.map((a) => `'${a}'`).join(' | ');
}

/** An argument whose check depends on others: the schema's `across` rule checks it. */
export function checkedAcross<T>(): (value: unknown) => T {
  return (value) => value as T;
}

/**
 * A module's arguments, declared once. The unknown-argument error lists the arguments in the
 * order they are declared here; `across` holds the rules that involve several arguments.
 */
export function argsSchema<S extends ArgSpecs>(
  args: S,
  doc: ModuleDoc & {
    /** Rules that decide which arguments apply (exactly one of several): checked before any argument alone. */
    first?: (args: Record<string, unknown>) => void;
    across?: (args: ArgsFrom<S>) => void;
  },
): ArgsSchema<ArgsFrom<S>> {
  const known = Object.keys(args);
  const entries = Object.entries(args);
  const { first, across, ...moduleDoc } = doc;
  return {
    args,
    doc: moduleDoc,
    validate(input) {
      const raw = requireObject(input, known);
      first?.(raw);
      for (const [field, spec] of entries) {
        const value = raw[field];
        if (value !== undefined || spec.required) spec.check(value, field);
      }
      across?.(input);
      return input;
    },
  };
}

/** The state most modules take: present (their default) or absent. */
export const PRESENCE = ['present', 'absent'] as const;
