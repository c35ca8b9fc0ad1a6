import type { Secret } from '../secret.ts';

/** How to run one command as another user (sudo). */
export interface Become {
  user: string;
  /** Given when sudo asks for a password; answered on the channel, never put in the command. */
  password?: Secret;
}

export interface ExecOptions {
  /** Bytes for the command's standard input; the channel's stdin is closed after them. */
  stdin?: string | Buffer;
  /** Run through sudo as this user. Absent or false: run as the login user. */
  become?: Become | false;
  /** Exported to the command (prefixed as `env K=V`, so no sshd AcceptEnv is needed). */
  env?: Record<string, string>;
  /** Directory to run in; the command does not run if it does not exist. */
  cwd?: string;
  /** Kill the command and fail after this long. */
  timeoutMs?: number;
  /** The command prints a secret (slurp of a token file): whoever echoes commands (-vv) must not show its stdout. */
  secretOutput?: boolean;
  /** stdin holds a secret: it may only travel as stdin, never inside a command line (which `ps` on the host shows). */
  secretStdin?: boolean;
  /**
   * The command only reads this host's own state and changes nothing: a module's probe. Connections
   * ignore it; the runner may answer it from one batched round trip made for several tasks' probes
   * (lib/runner/probe-batcher.ts).
   */
  probe?: boolean;
}

export interface ExecResult {
  /** Exit status; -1 when the command did not exit by itself: it timed out or was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** It ran past its timeout and was stopped (code -1), as execa's `timedOut`. */
  timedOut: boolean;
  /** The signal that ended it, as execa's `signal` ('SIGKILL'): its own death, or what the timeout sent. */
  signal?: string;
}

/** How a command ended, for messages: `rc=2`, `timed out`, `killed by SIGKILL`, or `killed` (no status at all). */
export function describeExit(result: Pick<ExecResult, 'code'> & Partial<Pick<ExecResult, 'timedOut' | 'signal'>>): string {
  if (result.timedOut) return 'timed out';
  if (result.signal) return `killed by ${result.signal}`;
  return result.code === -1 ? 'killed' : `rc=${result.code}`;
}

/**
 * One host's connection, opened once and kept for the whole run. exec() opens one channel per
 * call; implementations bound the channels in flight per host (OpenSSH MaxSessions is 10).
 */
export interface Connection {
  readonly host: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
  /** Channels (remote commands) opened so far: tests count round trips with it. */
  readonly channelsOpened: number;
}
