import { randomBytes } from 'node:crypto';
import { InputError } from '../errors.ts';
import { quote } from '../shell.ts';

/** The sudo wrapping of one command: whom to become, and the random strings to recognise sudo by. */
export interface BecomeWrap {
  user: string;
  /** Passed to `sudo -p`: sudo writes it to stderr when it wants the password. */
  prompt: string;
  /** Echoed on stdout and stderr once sudo let the command start; everything before it is sudo's. */
  marker: string;
}

export interface CommandLineOptions {
  env?: Record<string, string>;
  cwd?: string;
  become?: BecomeWrap;
  /** Enforce a timeout on the host with coreutils' timeout: TERM, then KILL a second later, to the whole process group. */
  timeoutMs?: number;
}

/** Exit codes of `timeout -k`: the command was sent TERM (124), or had to be killed (128+9). */
export const REMOTE_TIMEOUT_CODES: readonly number[] = [124, 137];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A fresh prompt and marker for one become, unguessable by the command's own output. */
export function becomeWrap(user: string): BecomeWrap {
  const nonce = randomBytes(12).toString('hex');
  return { user, prompt: `[ploy-sudo-${nonce}] password: `, marker: `PLOY-BECOME-SUCCESS-${nonce}` };
}

/**
 * The shell line a login shell runs for one exec. `cd DIR || exit 1;` keeps the command from
 * running elsewhere when the directory is missing; env goes through `env K=V /bin/sh -c CMD` so it
 * reaches every part of a compound command; become wraps everything in sudo, so cd and env happen
 * as the target user, after the marker:
 *   sudo -H -S -p PROMPT -u USER -- /bin/sh -c 'echo MARKER; echo MARKER >&2; <line>'
 * A timeout runs inside sudo, so it can stop a command running as another user; sshd itself
 * refuses "signal" requests on root logins, so a signal from the controller is not enough.
 */
export function buildCommandLine(command: string, options: CommandLineOptions = {}): string {
  let line = command;
  const env = Object.entries(options.env ?? {});
  if (env.length > 0) {
    for (const [name] of env) {
      if (!ENV_NAME.test(name)) throw new InputError(`invalid environment variable name ${JSON.stringify(name)}`, { field: 'env' });
    }
    line = `env ${env.map(([name, value]) => `${name}=${quote(value)}`).join(' ')} /bin/sh -c ${quote(command)}`;
  }
  if (options.cwd !== undefined) {
    if (options.cwd === '') throw new InputError('cwd must not be empty', { field: 'cwd' });
    line = `cd ${quote(options.cwd)} || exit 1; ${line}`;
  }
  if (options.timeoutMs !== undefined) {
    if (!(options.timeoutMs > 0)) throw new InputError(`timeout must be a positive number of ms, got ${options.timeoutMs}`, { field: 'timeoutMs' });
    const seconds = Math.max(options.timeoutMs / 1000, 0.001)
      .toFixed(3)
      .replace(/\.?0+$/, '');
    line = `timeout -k 1 ${seconds} /bin/sh -c ${quote(line)}`;
  }
  const become = options.become;
  if (become) {
    if (!become.user) throw new InputError('become user must not be empty', { field: 'become' });
    const script = `echo ${become.marker}; echo ${become.marker} >&2; ${line}`;
    line = `sudo -H -S -p ${quote(become.prompt)} -u ${quote(become.user)} -- /bin/sh -c ${quote(script)}`;
  }
  return line;
}
