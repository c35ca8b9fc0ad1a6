import type { ExecResult } from '../connection/connection.ts';

/** One prune listing's answer: its exit status and its output (stdout and stderr together). */
export interface Listing {
  readonly code: number;
  readonly output: string;
}

export interface KubectlProbe {
  /** `kubectl diff`'s own result. */
  readonly diff: ExecResult;
  readonly listings: readonly Listing[];
}

const MARK = '@@ploy-prune-listing=';

/**
 * ONE remote command for a kubectlApply probe: the prune listings (when pruning), each captured
 * with its exit status, then `kubectl diff` with the manifest on stdin, whose exit status the
 * command keeps. The listings print after the diff, each behind a marker line.
 */
export function probeScript(diff: string, listings: readonly string[]): string {
  if (listings.length === 0) return diff;
  return [...listings.map((command, i) => `l${i}=$(${command} 2>&1); r${i}=$?`), `${diff}; rc=$?`, ...listings.map((_, i) => `printf '\\n${MARK}%s\\n%s\\n' "$r${i}" "$l${i}"`), 'exit $rc'].join('\n');
}

/** Split probeScript's result; throws an Error when the listings' markers are missing. */
export function parseProbe(result: ExecResult, listings: number): KubectlProbe {
  if (listings === 0) return { diff: result, listings: [] };
  const first = result.stdout.indexOf(`\n${MARK}`);
  if (first === -1) throw new Error('the kubectlApply probe printed no prune listing');
  const sections = result.stdout
    .slice(first + 1)
    .split(new RegExp(`^${MARK}`, 'm'))
    .slice(1);
  if (sections.length !== listings) throw new Error(`the kubectlApply probe printed ${sections.length} prune listings, not ${listings}`);
  const parsed = sections.map((section) => {
    const newline = section.indexOf('\n');
    return { code: Number(section.slice(0, newline)), output: section.slice(newline + 1).replace(/\n+$/, '') };
  });
  return { diff: { ...result, stdout: result.stdout.slice(0, first) }, listings: parsed };
}
