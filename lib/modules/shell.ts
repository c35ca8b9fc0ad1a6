import { ModuleArgsError } from '../errors.ts';
import { defineModule } from '../module.ts';
import { quote } from '../shell.ts';
import { checkCommandOptions, commandOptionArgs, planCommand, type CommandData } from './support/command-run.ts';
import { argsSchema, required, type SchemaArgs } from './support/schema.ts';

export const shellArgs = argsSchema(
  {
    cmd: required('string', script, 'A /bin/sh script: pipes, redirections, $VARS and globs work. Put values in with the sh`...` template tag or quote().'),
    ...commandOptionArgs,
  },
  {
    summary: 'Run a /bin/sh script.',
    checkMode: 'As `command`: with a guard the guard is probed; without one the task is skipped ("cannot predict"); `readOnly` scripts run and report ok.',
    notes: ['Data: `stdout`, `stderr`, `rc` (trailing newlines removed), as `command`.'],
    across: checkCommandOptions,
  },
);

export type ShellArgs = SchemaArgs<typeof shellArgs>;

function script(cmd: unknown, field: string): string {
  if (Array.isArray(cmd)) throw new ModuleArgsError('shell takes a script string; use the command module for a list of arguments', { field });
  if (typeof cmd !== 'string' || cmd.trim() === '') {
    throw new ModuleArgsError(`must be a non-empty script string, got ${cmd === undefined ? 'nothing' : JSON.stringify(cmd)}`, { field });
  }
  return cmd;
}

/** Run a script with /bin/sh on the host. */
export const shell = defineModule<ShellArgs, CommandData>({
  name: 'shell',
  batchProbes: true,

  schema: shellArgs,
  validate: shellArgs.validate,

  plan(ctx, args) {
    return planCommand(ctx, args, `/bin/sh -c ${quote(args.cmd)}`, args.cmd);
  },
});
