import { describeExit, type ExecOptions, type ExecResult } from '../../connection/connection.ts';
import { CommandError } from '../../errors.ts';
import type { ModuleContext } from '../../module.ts';

/**
 * Run a module's own command (a probe, an apply step) and require success. `what` says in a few
 * words what the command was for, since its text (a script) makes a poor message.
 */
export async function runChecked(ctx: ModuleContext, command: string, what: string, options: Omit<ExecOptions, 'become'> = {}): Promise<ExecResult> {
  const result = await ctx.exec(command, options);
  if (result.code !== 0) {
    const stderr = result.stderr.trim();
    throw new CommandError(command, result, `${what} failed (${describeExit(result)})${stderr ? `: ${stderr}` : ''}`);
  }
  return result;
}
