import { InputError } from '../errors.ts';
import { formatFatalError } from '../cli/format-error.ts';
import type { AwsCommonOptions, Parsed } from './flags.ts';

/** 0 done; 1 bad input, nothing changed; 2 anything else failed (an AWS call, a wait, a bug) and may have changed something. */
export type AwsExitCode = 0 | 1 | 2;

export interface AwsCommand<O extends AwsCommonOptions> {
  readonly parse: (argv: readonly string[]) => Parsed<O>;
  readonly help: () => string;
  readonly run: (options: O) => Promise<unknown>;
}

export interface AwsCommandIo {
  /** Default: process.argv.slice(2). */
  readonly argv?: readonly string[];
  readonly stdout?: { write(text: string): unknown };
  readonly stderr?: { write(text: string): unknown };
}

/**
 * Parse the command line, show --help or run, and say how it ended: errors print as every entry
 * point's do (formatFatalError: `ERROR: ...`, the stack only at -vvv). Returns the exit code.
 */
export async function awsCommandMain<O extends AwsCommonOptions>(command: AwsCommand<O>, io: AwsCommandIo = {}): Promise<AwsExitCode> {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let verbosity = 0;
  try {
    const options = command.parse(io.argv ?? process.argv.slice(2));
    if (options.help) {
      out.write(command.help());
      return 0;
    }
    verbosity = options.verbosity;
    await command.run(options);
    return 0;
  } catch (error) {
    err.write(formatFatalError(error, verbosity));
    return error instanceof InputError ? 1 : 2;
  }
}

/** A playbook's entry point: run the command and leave its exit code for when the process ends. */
export async function runAwsCommand<O extends AwsCommonOptions>(command: AwsCommand<O>): Promise<void> {
  process.exitCode = await awsCommandMain(command);
}
