import { ModuleArgsError } from '../errors.ts';
import { defineModule } from '../module.ts';
import { quote } from '../shell.ts';
import { requireObject } from './support/args.ts';
import { COMMAND_OPTION_KEYS, planCommand, validateCommandOptions, type CommandData, type CommandOptions } from './support/command-run.ts';

export interface ShellArgs extends CommandOptions {
  /** A /bin/sh script: pipes, redirections, $VARS and globs work. Put values in with sh`` or quote(). */
  cmd: string;
}

/** Run a script with /bin/sh on the host. */
export const shell = defineModule<ShellArgs, CommandData>({
  name: 'shell',
  batchProbes: true,

  validate(args) {
    const raw = requireObject(args, ['cmd', ...COMMAND_OPTION_KEYS]);
    if (Array.isArray(raw.cmd)) throw new ModuleArgsError('shell takes a script string; use the command module for a list of arguments', { field: 'cmd' });
    if (typeof raw.cmd !== 'string' || raw.cmd.trim() === '') {
      throw new ModuleArgsError(`must be a non-empty script string, got ${raw.cmd === undefined ? 'nothing' : JSON.stringify(raw.cmd)}`, { field: 'cmd' });
    }
    validateCommandOptions(raw);
    return args;
  },

  plan(ctx, args) {
    return planCommand(ctx, args, `/bin/sh -c ${quote(args.cmd)}`, args.cmd);
  },
});
