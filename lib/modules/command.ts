import { ModuleArgsError } from '../errors.ts';
import { defineModule } from '../module.ts';
import { quote } from '../shell.ts';
import { splitArgv } from './support/argv.ts';
import { checkCommandOptions, commandOptionArgs, planCommand, type CommandData } from './support/command-run.ts';
import { argsSchema, required, type SchemaArgs } from './support/schema.ts';

export const commandArgs = argsSchema(
  {
    cmd: required(
      'string | string[]',
      programAndArguments,
      'The program and its arguments. A list is used as is; a string is split into words as a shell would, but nothing is expanded: no pipes, redirections, globs or $VARS (use shell for those).',
    ),
    ...commandOptionArgs,
  },
  {
    summary: 'Run a program without a shell.',
    checkMode:
      'With a guard (`creates`, `removes`, `unless`) the guard is probed and the command reported as would-run or ok; without one the task is skipped ("cannot predict"); `readOnly` commands run and report ok.',
    notes: [
      'Data: `stdout`, `stderr`, `rc` (trailing newlines removed).',
      'An `unless` guard is never sent in a batch with the probes of other tasks: a user command runs only when its task comes. Nor is a command that needs stdin, env or a working directory.',
    ],
    across: checkCommandOptions,
  },
);

export type CommandArgs = SchemaArgs<typeof commandArgs>;

function programAndArguments(cmd: unknown, field: string): string | readonly string[] {
  if (Array.isArray(cmd)) {
    if (cmd.length === 0 || !cmd.every((word) => typeof word === 'string')) {
      throw new ModuleArgsError('a list cmd must hold the program and its arguments, all strings', { field });
    }
    if (cmd[0] === '') throw new ModuleArgsError('the program name is empty', { field });
    return cmd as string[];
  }
  if (typeof cmd === 'string') {
    let words: string[];
    try {
      words = splitArgv(cmd);
    } catch (error) {
      throw new ModuleArgsError(`cannot split into words: ${(error as Error).message}`, { field });
    }
    if (words.length === 0) throw new ModuleArgsError('is empty', { field });
    return cmd;
  }
  throw new ModuleArgsError(`must be a string or a list of strings, got ${cmd === undefined ? 'nothing' : typeof cmd}`, { field });
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

  schema: commandArgs,
  validate: commandArgs.validate,

  plan(ctx, args) {
    const line = commandLine(args.cmd);
    return planCommand(ctx, args, line, line);
  },
});
