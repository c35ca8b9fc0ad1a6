import { describeExit, type ExecOptions } from '../../connection/connection.ts';
import { CommandError, ModuleArgsError } from '../../errors.ts';
import type { Change, ModuleContext, Plan } from '../../module.ts';
import { isSecret, reveal, type Secret } from '../../secret.ts';
import { quote } from '../../shell.ts';
import { optionalAbsolutePath, optionalBoolean, optionalFunction, optionalPositiveInteger, optionalString, isTextValue } from './args.ts';
import { optional, type ArgsFrom } from './schema.ts';

/** What a command produced. stdout and stderr lose their trailing newlines only, as `$(cmd)` would. */
export interface CommandData {
  stdout: string;
  stderr: string;
  rc: number;
}

/** The arguments command and shell share; they differ only in what cmd is. */
export const commandOptionArgs = {
  creates: optional('string', optionalAbsolutePath, 'Skip (status ok) when this absolute path exists.'),
  removes: optional('string', optionalAbsolutePath, 'Skip (status ok) when this absolute path does not exist.'),
  unless: optional('string', unlessCommand, 'Skip (status ok) when this shell command exits 0.'),
  stdin: optional('string | Secret', textValue, 'Text given to the command on its stdin.'),
  env: optional('Record<string, string | Secret>', environment, 'Environment variables; Secret values reach the command through its stdin, never its command line.'),
  cwd: optional('string', optionalAbsolutePath, 'The directory the command runs in.'),
  timeoutMs: optional('number (ms)', optionalPositiveInteger, 'Fail the task when the command runs longer.'),
  changedWhen: optional('(result: CommandData) => boolean', optionalFunction<(result: CommandData) => boolean>, 'Decide "changed" from the outcome (default: always changed).'),
  failedWhen: optional('(result: CommandData) => boolean', optionalFunction<(result: CommandData) => boolean>, 'Decide failure from the outcome (default: rc != 0).'),
  readOnly: optional('boolean', optionalBoolean, "A probe: runs even in check mode and always reports ok (Ansible's check_mode: false + changed_when: false)."),
};

export type CommandOptions = ArgsFrom<typeof commandOptionArgs>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function unlessCommand(value: unknown, field: string): string | undefined {
  const unless = optionalString(value, field);
  if (unless === '') throw new ModuleArgsError('must be a command', { field });
  return unless;
}

function textValue(value: unknown, field: string): string | Secret {
  if (!isTextValue(value)) throw new ModuleArgsError('must be a string or a Secret', { field });
  return value as string | Secret;
}

function environment(value: unknown, field: string): Record<string, string | Secret> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModuleArgsError('must be an object of NAME: value', { field });
  for (const [name, item] of Object.entries(value)) {
    if (!ENV_NAME.test(name)) throw new ModuleArgsError(`invalid variable name ${JSON.stringify(name)}`, { field });
    if (!isTextValue(item)) throw new ModuleArgsError(`${name} must be a string or a Secret, got ${typeof item}`, { field });
    if (isSecret(item) && item.reveal().includes('\n')) throw new ModuleArgsError(`${name}: a secret value passed in env cannot contain a newline`, { field });
  }
  return value as Record<string, string | Secret>;
}

/** The rule across command options: a readOnly command has nothing to be guarded or changed. */
export function checkCommandOptions(args: CommandOptions): void {
  if (args.readOnly) {
    for (const field of ['creates', 'removes', 'unless', 'changedWhen'] as const) {
      if (args[field] !== undefined) throw new ModuleArgsError(`a readOnly command never changes anything, so ${field} has no meaning with it`, { field });
    }
  }
}

/** How to run one remote command line with the call's env, stdin, cwd and timeout. */
interface Invocation {
  readonly line: string;
  readonly options: Omit<ExecOptions, 'become'>;
}

/**
 * Plain env goes to the connection (`env K=V`); secret env is read from the first stdin lines by
 * the shell that then execs the command, so no secret is ever part of a command line.
 */
function invocation(line: string, args: CommandOptions, stdin: string): Invocation {
  const plain: Record<string, string> = {};
  const secrets: Array<[string, Secret]> = [];
  for (const [name, value] of Object.entries(args.env ?? {})) {
    if (isSecret(value)) secrets.push([name, value]);
    else plain[name] = value;
  }
  const options: Omit<ExecOptions, 'become'> = {
    ...(Object.keys(plain).length ? { env: plain } : {}),
    ...(args.cwd !== undefined ? { cwd: args.cwd } : {}),
    ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
  };
  if (secrets.length === 0) return { line, options: { ...options, stdin } };
  const names = secrets.map(([name]) => name);
  const prelude = `${names.map((name) => `IFS= read -r ${name}`).join(' && ')} && export ${names.join(' ')} && exec ${line}`;
  const values = secrets.map(([, value]) => `${value.reveal()}\n`).join('');
  return { line: prelude, options: { ...options, stdin: values + stdin } };
}

function outcome(result: { code: number; stdout: string; stderr: string }): CommandData {
  return { stdout: result.stdout.replace(/[\r\n]+$/, ''), stderr: result.stderr.replace(/[\r\n]+$/, ''), rc: result.code };
}

/**
 * Plan a command call. readOnly: it runs now, in the plan, and reports ok. With creates, removes
 * or unless: one probe decides; "skip" is ok, otherwise the run is predictable. Without: the run
 * is the change, and check mode cannot predict it.
 */
export async function planCommand(ctx: ModuleContext, args: CommandOptions, line: string, display: string): Promise<Plan<CommandData>> {
  const run = async (): Promise<{ data: CommandData; changed: boolean }> => {
    const call = invocation(line, args, args.stdin === undefined ? '' : reveal(args.stdin));
    const result = await ctx.exec(call.line, call.options);
    const data = outcome(result);
    const failed = args.failedWhen ? args.failedWhen(data) : data.rc !== 0;
    if (failed) {
      const why = result.timedOut
        ? 'timed out'
        : result.signal
          ? `was killed by ${result.signal}`
          : args.failedWhen
            ? `failed by failedWhen (${describeExit(result)})`
            : `failed (${describeExit(result)})`;
      throw new CommandError(display, result, `command ${why}: ${display}${data.stderr ? `\n${data.stderr}` : ''}`);
    }
    return { data, changed: args.changedWhen ? args.changedWhen(data) : true };
  };

  if (args.readOnly) return { changes: [], data: (await run()).data };

  const guarded = args.creates !== undefined || args.removes !== undefined || args.unless !== undefined;
  if (guarded) {
    const guard = invocation(guardScript(args), args, '');
    // An unless command is the user's own: it runs only when its task comes, never ahead in a batch.
    const result = await ctx.exec(guard.line, { ...guard.options, probe: args.unless === undefined });
    if (result.code !== 0) throw new CommandError('guard probe', result, `the creates/removes/unless probe failed (${describeExit(result)}): ${result.stderr.trim()}`);
    if (/^skip=\S/m.test(result.stdout)) return { changes: [] };
  }
  const change: Change<CommandData> = {
    summary: `run ${display}`,
    predictable: guarded,
    async apply() {
      return run();
    },
  };
  return { changes: [change] };
}

/** One probe for all guards: prints `skip=REASON` when the command must not run, `skip=` when it must. */
function guardScript(args: CommandOptions): string {
  const lines: string[] = [];
  if (args.creates !== undefined) lines.push(`if [ -e ${quote(args.creates)} ]; then echo skip=creates; exit 0; fi`);
  if (args.removes !== undefined) lines.push(`if [ ! -e ${quote(args.removes)} ]; then echo skip=removes; exit 0; fi`);
  if (args.unless !== undefined) lines.push(`if /bin/sh -c ${quote(args.unless)} >/dev/null 2>&1 </dev/null; then echo skip=unless; exit 0; fi`);
  lines.push('echo skip=');
  return `/bin/sh -c ${quote(lines.join('\n'))}`;
}
