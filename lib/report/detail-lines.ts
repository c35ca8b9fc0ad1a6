import type { RunEvent } from '../runner/events.ts';
import { mask } from '../secret.ts';
import { formatDuration, indentLines, truncateBytes } from './format.ts';
import type { Palette } from './terminal.ts';

type CommandEvent = Extract<RunEvent, { type: 'command' }>;

/**
 * A remote command as -v shows it: `  [web1] rc=0 12ms $ apt-get …` (a probe answered from a batch
 * shows `(batched)` for its time: it made no round trip of its own); with showOutput (-vv) its
 * stdout and stderr follow, indented. Long text is cut at limitBytes, after masking.
 */
export function commandLines(event: CommandEvent, colors: Palette, options: { showOutput: boolean; limitBytes: number }): string[] {
  const rc = `rc=${event.code}`;
  const head = `  [${event.delegatedTo ? `${event.host} -> ${event.delegatedTo}` : event.host}] ${event.code === 0 ? colors.dim(rc) : colors.red(rc)} ${colors.dim(event.batched ? '(batched)' : formatDuration(event.elapsedMs))} $ `;
  const [first = '', ...rest] = truncateBytes(mask(event.command), options.limitBytes).split('\n');
  const lines = [head + first, ...rest.map((line) => `      ${line}`)];
  if (!options.showOutput) return lines;
  for (const [label, text] of [
    ['stdout', event.stdout],
    ['stderr', event.stderr],
  ] as const) {
    if (!text.trim()) continue;
    lines.push(`    ${label}:`, ...indentLines(truncateBytes(mask(text), options.limitBytes), '      '));
  }
  return lines;
}

/** A unified diff, masked, with headers bold, additions green, removals red, hunks cyan. */
export function diffLines(diff: string, colors: Palette): string[] {
  return indentLines(mask(diff), '').map((line) => {
    if (line.startsWith('+++') || line.startsWith('---')) return colors.bold(line);
    if (line.startsWith('+')) return colors.green(line);
    if (line.startsWith('-')) return colors.red(line);
    if (line.startsWith('@@')) return colors.cyan(line);
    return line;
  });
}
