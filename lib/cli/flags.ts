import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.ts';
import { defineFlags, flagError, longName, positiveInteger, positiveSecondsAsMs, type FlagSpec, type FlagTable, type ParsedFlags } from './flag-table.ts';

/** The flags every entry point shares: playbooks, provision, teardown. */
export const sharedFlags = defineFlags({
  check: { kind: 'boolean', short: 'C', description: 'Check mode: report what would change, change nothing' },
  json: { kind: 'boolean', description: 'Print one JSON document at the end instead of progress lines' },
  verbose: { kind: 'count', short: 'v', description: 'More output: -v commands with rc and time, -vv also their output, -vvv stack traces' },
  help: { kind: 'boolean', short: 'h', description: 'Show this help and exit' },
});

/** Every flag of a playbook, in the order --help lists them. */
export const playbookFlags = defineFlags({
  inventory: { kind: 'value', short: 'i', valueName: 'PATH', default: 'inventory/hosts.yml', description: 'Inventory file, relative to the current directory' },
  limit: { kind: 'value', short: 'l', valueName: 'PATTERN', description: 'Only hosts matching this pattern (web*, a:b, a:&b, a:!b)' },
  user: { kind: 'value', short: 'u', valueName: 'USER', description: "Log in as this user where no ansible_user is set (default: the ssh config's User, else your login name)" },
  privateKey: { kind: 'value', valueName: 'PATH', description: 'Log in with this private key where no ansible_ssh_private_key_file is set' },
  become: { kind: 'boolean', short: 'b', description: 'Run tasks through sudo where no ansible_become is set' },
  becomeUser: { kind: 'value', valueName: 'USER', description: 'Become this user where no ansible_become_user is set (default: root)' },
  askBecomePass: { kind: 'boolean', short: 'K', description: "Ask for the sudo password before the run (not echoed); a host's ansible_become_password wins" },
  check: sharedFlags.check,
  detailedExitcode: { kind: 'boolean', description: 'With --check: exit 10 when changes are pending, 0 when none (failures still exit 2 or 4)' },
  diff: { kind: 'boolean', short: 'D', description: 'Show the differences in files that change' },
  tags: { kind: 'list', short: 't', valueName: 'TAGS', commaSeparated: true, description: 'Only tasks with these tags (comma list, repeatable)' },
  skipTags: { kind: 'list', valueName: 'TAGS', commaSeparated: true, description: 'Skip tasks with these tags (comma list, repeatable)' },
  startAtTask: { kind: 'value', valueName: 'NAME', description: 'Skip the tasks before the first one named NAME (or ROLE : NAME; globs allowed)' },
  role: { kind: 'list', valueName: 'NAME', commaSeparated: true, description: 'Only this role of the play (repeatable)' },
  forks: { kind: 'value', short: 'f', valueName: 'N', default: '10', parse: positiveInteger, description: 'Hosts worked on at once' },
  extraVars: { kind: 'list', short: 'e', valueName: 'VARS', description: 'Extra variables: k=v, JSON or YAML, or @file.yml (repeatable, later wins)' },
  json: sharedFlags.json,
  verbose: sharedFlags.verbose,
  listHosts: { kind: 'boolean', description: "List each role's hosts (after --limit) and exit" },
  listTasks: { kind: 'boolean', description: "List each role's tasks (after --tags/--skip-tags) and exit; no host is contacted" },
  listTags: { kind: 'boolean', description: "List each role's task tags and exit; no host is contacted" },
  syntaxCheck: { kind: 'boolean', description: 'Run the preflight alone (arguments, templates, variables, connection settings) and exit; no host is contacted' },
  acceptNewHostKeys: { kind: 'boolean', description: 'Trust and record host keys not yet in known_hosts (changed keys are still refused)' },
  connectTimeout: {
    kind: 'value',
    valueName: 'SECONDS',
    default: '10',
    parse: positiveSecondsAsMs,
    description: 'Give up on a host that does not answer for this long: while connecting, and once connected (keepalive probes)',
  },
  commandTimeout: { kind: 'value', valueName: 'SECONDS', parse: positiveSecondsAsMs, description: 'Kill any remote command running longer than this (default: no limit)' },
  help: sharedFlags.help,
});

export type SharedFlags = ParsedFlags<typeof sharedFlags>;
export type PlaybookFlags = ParsedFlags<typeof playbookFlags>;

/**
 * Another entry point's table: the shared flags plus its own, with --help last. For example
 * `parseFlags(argv, withSharedFlags({ region: { kind: 'value', valueName: 'NAME', description: '…' } }))`.
 */
export function withSharedFlags<const E extends FlagTable>(extraFlags: E) {
  const { help, ...shared } = sharedFlags;
  return { ...shared, ...extraFlags, help } as const;
}

/** Parse a playbook's argv, optionally with the caller's own flags added (listed before --help). */
export function parsePlaybookFlags<const E extends FlagTable = Record<never, FlagSpec>>(argv: readonly string[], extraFlags?: E): ParsedFlags<typeof playbookFlags & E> {
  const { help, ...common } = playbookFlags;
  return parseFlags(argv, { ...common, ...extraFlags, help } as typeof playbookFlags & E);
}

/**
 * Parse argv against a table, strictly: an unknown flag, a missing or bad value, or a stray
 * argument is an InputError naming the flag. When --help is among the arguments, errors are
 * ignored and the defaults come back with help set, so help always shows.
 */
export function parseFlags<T extends FlagTable>(argv: readonly string[], table: T): ParsedFlags<T> {
  const helpKey = Object.keys(table).find((key) => longName(key, table[key] as FlagSpec) === 'help');
  try {
    return parseStrict(argv, table);
  } catch (error) {
    const asksHelp = argv.some((arg) => arg === '--help' || arg === '-h');
    if (!helpKey || !asksHelp) throw error;
    return { ...parseStrict([], table), [helpKey]: true };
  }
}

function parseStrict<T extends FlagTable>(argv: readonly string[], table: T): ParsedFlags<T> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [key, spec] of Object.entries(table)) {
    const long = longName(key, spec);
    if (options[long]) throw new Error(`flag table: --${long} is defined twice`);
    if (spec.short && Object.values(options).some((o) => o.short === spec.short)) throw new Error(`flag table: -${spec.short} is defined twice`);
    const type = spec.kind === 'value' || spec.kind === 'list' ? 'string' : 'boolean';
    options[long] = { type, multiple: spec.kind === 'count' || spec.kind === 'list', ...(spec.short ? { short: spec.short } : {}) };
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw translateParseError(error, table);
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const flag = `--${longName(key, spec)}`;
    const raw = values[longName(key, spec)];
    switch (spec.kind) {
      case 'boolean':
        out[key] = raw === true;
        break;
      case 'count':
        out[key] = Array.isArray(raw) ? raw.length : 0;
        break;
      case 'value': {
        const text = typeof raw === 'string' ? raw : spec.default;
        if (text !== undefined && text.trim() === '') throw flagError(flag, 'needs a value');
        out[key] = text === undefined ? undefined : spec.parse ? spec.parse(text, flag) : text;
        break;
      }
      case 'list': {
        const items: string[] = [];
        for (const value of Array.isArray(raw) ? raw : []) {
          if (typeof value !== 'string') continue;
          const parts = spec.commaSeparated
            ? value
                .split(',')
                .map((p) => p.trim())
                .filter((p) => p !== '')
            : [value];
          if (parts.length === 0 || parts.some((p) => p.trim() === '')) throw flagError(flag, 'needs a value');
          items.push(...parts);
        }
        out[key] = items.map((v) => (spec.parse ? spec.parse(v, flag) : v));
        break;
      }
    }
  }
  return out as ParsedFlags<T>;
}

/** node:util's messages name options in its own way; say which flag, in ours. */
function translateParseError(error: unknown, table: FlagTable): unknown {
  if (!(error instanceof Error) || !('code' in error)) return error;
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  const first = quoted.split(/[ ,]+/)[0] ?? quoted;
  const long = /--[\w-]+/.exec(quoted)?.[0];
  const byShort = Object.entries(table).find(([, spec]) => spec.short && `-${spec.short}` === first);
  const flag = long ?? (byShort ? `--${longName(byShort[0], byShort[1])}` : first);
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new InputError(`unknown flag ${first} (see --help for the flags)`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new InputError(`unexpected argument "${quoted}": only flags are accepted (see --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) return flagError(flag, 'takes no value');
      if (/ambiguous/.test(error.message)) return flagError(flag, `needs a value; to give one starting with "-", write ${flag}=VALUE`);
      return flagError(flag, 'needs a value');
    default:
      return new InputError(error.message);
  }
}
