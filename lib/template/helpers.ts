import type Handlebars from 'handlebars';
import { stringify } from 'yaml';
import { quote } from '../shell.ts';

/** An error a helper raises about how it was called; the renderer adds the template file. */
export class TemplateUsageError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

interface HelperCall {
  fn?: (context: unknown) => string;
  hash: Record<string, unknown>;
  name?: string;
  loc?: { start: { line: number; column: number } };
}

type Helper = (args: unknown[], call: HelperCall, self: unknown) => unknown;

/** Handlebars passes its options object last; helpers here see their own arguments only. */
function wrap(helper: Helper): Handlebars.HelperDelegate {
  return function (this: unknown, ...all: unknown[]) {
    const call = all.pop() as HelperCall;
    return helper(all, call, this);
  };
}

function fail(call: HelperCall, message: string): never {
  throw new TemplateUsageError(`${call.name ?? 'helper'}: ${message}`, call.loc?.start.line, call.loc ? call.loc.start.column + 1 : undefined);
}

function need(call: HelperCall, args: unknown[], count: number, usage: string): void {
  if (args.length !== count) fail(call, `takes ${count} argument${count === 1 ? '' : 's'}, got ${args.length}: {{${usage}}}`);
}

function indentLines(text: string, width: number): string {
  const pad = ' '.repeat(width);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

const helpers: Record<string, Helper> = {
  /** YAML without the trailing newline, never folding long strings. */
  toYaml(args, call) {
    need(call, args, 1, 'toYaml value');
    return stringify(args[0], { lineWidth: 0 }).replace(/\n$/, '');
  },
  /** Compact JSON, or indented by the optional second argument. */
  toJson(args, call) {
    if (args.length < 1 || args.length > 2) fail(call, 'takes a value and an optional indent: {{toJson value 2}}');
    const spaces = args[1];
    if (spaces !== undefined && typeof spaces !== 'number') fail(call, 'the indent must be a number');
    return JSON.stringify(args[0], null, spaces);
  },
  /** Indent every non-empty line by n spaces: {{indent 4 text}} or {{#indent 4}}...{{/indent}}. */
  indent(args, call, self) {
    const width = args[0];
    if (typeof width !== 'number' || !Number.isInteger(width) || width < 0) fail(call, 'the first argument must be a number of spaces: {{indent 4 text}}');
    if (args.length === 1 && call.fn) return indentLines(call.fn(self), width);
    need(call, args, 2, 'indent 4 text');
    return indentLines(String(args[1] ?? ''), width);
  },
  /** The value, or the fallback when it is undefined or null (an empty string is a value). */
  default(args, call) {
    need(call, args, 2, 'default value "fallback"');
    return args[0] === undefined || args[0] === null ? args[1] : args[0];
  },
  join(args, call) {
    need(call, args, 2, 'join list ", "');
    const [list, separator] = args;
    if (!Array.isArray(list)) fail(call, `the first argument must be a list, got ${list === undefined ? 'undefined' : typeof list}`);
    if (typeof separator !== 'string') fail(call, 'the separator must be a string: {{join list ", "}}');
    return list.join(separator);
  },
  eq(args, call) {
    need(call, args, 2, 'eq a b');
    return args[0] === args[1];
  },
  ne(args, call) {
    need(call, args, 2, 'ne a b');
    return args[0] !== args[1];
  },
  and(args, call) {
    if (args.length < 2) fail(call, 'takes two or more arguments');
    return args.every(Boolean);
  },
  or(args, call) {
    if (args.length < 2) fail(call, 'takes two or more arguments');
    return args.some(Boolean);
  },
  not(args, call) {
    need(call, args, 1, 'not value');
    return !args[0];
  },
  /** POSIX shell quoting, for values put into scripts and unit files. */
  quote(args, call) {
    need(call, args, 1, 'quote value');
    const value = args[0];
    if (typeof value !== 'string' && typeof value !== 'number') fail(call, `can quote a string or a number, got ${value === undefined ? 'undefined' : typeof value}`);
    return quote(value);
  },
};

export const HELPER_NAMES = Object.keys(helpers);

export function registerHelpers(hb: typeof Handlebars): void {
  for (const [name, helper] of Object.entries(helpers)) hb.registerHelper(name, wrap(helper));
}
