import { longName, type FlagSpec, type FlagTable } from './flag-table.ts';

/** The left column of one flag: `-f, --forks N` or `    --skip-tags TAGS`. */
function usageOf(key: string, spec: FlagSpec): string {
  const names = `${spec.short ? `-${spec.short}, ` : '    '}--${longName(key, spec)}`;
  return spec.kind === 'value' || spec.kind === 'list' ? `${names} ${spec.valueName}` : names;
}

function defaultOf(spec: FlagSpec): string {
  return spec.kind === 'value' && spec.default !== undefined ? ` (default: ${spec.default})` : '';
}

/**
 * --help text: usage, what the program does, then every flag with its one-line description and
 * default, aligned in two columns.
 */
export function formatHelp(program: string, table: FlagTable, about?: string): string {
  const rows = Object.entries(table).map(([key, spec]) => [usageOf(key, spec), spec.description + defaultOf(spec)] as const);
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return [`Usage: ${program} [flags]`, ...(about ? ['', about] : []), '', 'Flags:', ...rows.map(([usage, text]) => `  ${usage.padEnd(width)}  ${text}`), ''].join('\n');
}
