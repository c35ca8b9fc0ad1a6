import { $ } from 'zx';
import { CommandError } from '../../lib/errors.ts';

/** What a controller-side command left behind. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

type Value = string | number | ReadonlyArray<string | number>;

const quietShell = $({ quiet: true, nothrow: true });
const quietShellSync = $.sync({ quiet: true, nothrow: true });

/** Run a command on the controller (zx quotes every interpolated value); resolve whatever its exit code. */
export async function attempt(pieces: TemplateStringsArray, ...values: Value[]): Promise<CommandResult> {
  const out = await quietShell(pieces, ...values);
  return { code: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
}

/** Run a command on the controller; its stdout, or a CommandError naming the command and its stderr. */
export async function run(pieces: TemplateStringsArray, ...values: Value[]): Promise<string> {
  const promise = quietShell(pieces, ...values);
  const out = await promise;
  const result = { code: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
  if (result.code !== 0) throw new CommandError(`(test bed, on the controller) ${promise.cmd}`, result);
  return result.stdout;
}

/** The synchronous form, for cleanup in a process 'exit' handler where nothing can be awaited. */
export function attemptSync(pieces: TemplateStringsArray, ...values: Value[]): CommandResult {
  const out = quietShellSync(pieces, ...values);
  return { code: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr };
}
