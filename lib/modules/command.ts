import { ModuleArgsError } from '../errors.ts';
import { defineModule } from '../module.ts';
import { quote } from '../shell.ts';
import { requireObject } from './support/args.ts';
import { splitArgv } from './support/argv.ts';
import { COMMAND_OPTION_KEYS, planCommand, validateCommandOptions, type CommandData, type CommandOptions } from './support/command-run.ts';

export interface CommandArgs extends CommandOptions {
  /**
   * The program and its arguments. A list is used as is; a string is split into words as a shell
   * would, but nothing is expanded: no pipes, redirections, globs or $VARS (use shell for those).
   */
  cmd: string | readonly string[];
}

/** Split and quote cmd into the command line; also the text shown in messages. */
function commandLine(cmd: string | readonly string[]): string {
  const argv = typeof cmd === 'string' ? splitArgv(cmd) : cmd;
  return argv.map((word) => quote(word)).join(' ');
}

/** Run a program with arguments, without a shell. */
export const command = defineModule<CommandArgs, CommandData>({
  name: 'command',
  batchProbes: true,

  validate(args) {
    const raw = requireObject(args, ['cmd', ...COMMAND_OPTION_KEYS]);
    const cmd = raw.cmd;
    if (Array.isArray(cmd)) {
      if (cmd.length === 0 || !cmd.every((word) => typeof word === 'string')) {
        throw new ModuleArgsError('a list cmd must hold the program and its arguments, all strings', { field: 'cmd' });
      }
      if (cmd[0] === '') throw new ModuleArgsError('the program name is empty', { field: 'cmd' });
    } else if (typeof cmd === 'string') {
      let words: string[];
      try {
        words = splitArgv(cmd);
      } catch (error) {
        throw new ModuleArgsError(`cannot split into words: ${(error as Error).message}`, { field: 'cmd' });
      }
      if (words.length === 0) throw new ModuleArgsError('is empty', { field: 'cmd' });
    } else {
      throw new ModuleArgsError(`must be a string or a list of strings, got ${cmd === undefined ? 'nothing' : typeof cmd}`, { field: 'cmd' });
    }
    validateCommandOptions(raw);
    return args;
  },

  plan(ctx, args) {
    const line = commandLine(args.cmd);
    return planCommand(ctx, args, line, line);
  },
});
