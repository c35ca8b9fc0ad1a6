import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../connection/connection.ts';
import { quote } from '../shell.ts';

/** Several probe commands as one shell script, and how to split its output back per command. */
export interface ProbeBatchScript {
  readonly script: string;
  split(result: ExecResult): ExecResult[] | undefined;
}

/**
 * One script that runs each command in its own subshell with stdin from /dev/null, in order, and
 * frames its stdout and stderr with a random marker, so that every command gets back exactly the
 * stdout, stderr and exit status it would have had alone. split() returns undefined when the
 * output is not complete (the script was killed, sudo failed): the caller then runs its command alone.
 */
export function probeBatchScript(commands: readonly string[]): ProbeBatchScript {
  const marker = `ploy-probe-${randomBytes(12).toString('hex')}`;
  const lines: string[] = [];
  for (const [index, command] of commands.entries()) {
    const start = quote(`${marker} ${index}`);
    const end = quote(`${marker} end ${index}`);
    lines.push(
      `printf '%s\\n' ${start}; printf '%s\\n' ${start} >&2`,
      // `:` first, so that an empty command or a lone comment is still a valid subshell.
      `(\n:\n${command}\n) </dev/null`,
      `ploy_rc=$?; printf '\\n%s %s\\n' ${end} "$ploy_rc"; printf '\\n%s\\n' ${end} >&2`,
    );
  }
  return {
    script: lines.join('\n'),
    split: (result) => splitOutput(result, marker, commands.length),
  };
}

function splitOutput(result: ExecResult, marker: string, count: number): ExecResult[] | undefined {
  const results: ExecResult[] = [];
  let out = 0;
  let err = 0;
  for (let index = 0; index < count; index++) {
    const stdout = framed(result.stdout, out, marker, index, true);
    const stderr = framed(result.stderr, err, marker, index, false);
    if (!stdout || !stderr || stdout.code === undefined) return undefined;
    results.push({ code: stdout.code, stdout: stdout.text, stderr: stderr.text, timedOut: false });
    out = stdout.next;
    err = stderr.next;
  }
  return results;
}

/** One command's part of a stream, starting at `from`: its text, exit status (stdout only) and where the next part starts. */
function framed(stream: string, from: number, marker: string, index: number, withCode: boolean): { text: string; code?: number; next: number } | undefined {
  const start = `${marker} ${index}\n`;
  if (!stream.startsWith(start, from)) return undefined;
  const begin = from + start.length;
  const end = `\n${marker} end ${index}`;
  const at = stream.indexOf(end, begin);
  if (at < 0) return undefined;
  const text = stream.slice(begin, at);
  const lineEnd = stream.indexOf('\n', at + end.length);
  if (lineEnd < 0) return undefined;
  if (!withCode) return stream.slice(at + end.length, lineEnd) === '' ? { text, next: lineEnd + 1 } : undefined;
  const code = /^ (\d+)$/.exec(stream.slice(at + end.length, lineEnd))?.[1];
  return code === undefined ? undefined : { text, code: Number(code), next: lineEnd + 1 };
}
