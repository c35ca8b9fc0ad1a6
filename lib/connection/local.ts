import { spawn } from 'node:child_process';
import { buildCommandLine, becomeWrap } from './command-line.ts';
import type { Connection, ExecOptions, ExecResult } from './connection.ts';
import { runSession, type ProcessEnd } from './session.ts';

/**
 * The controller itself, as a host (ansible_connection: local). Each exec is a /bin/sh child
 * process running the same command line an SSH host would get (cwd, env and sudo wrapping
 * included); there is no channel limit to respect, but channels are counted like SSH ones.
 */
export class LocalConnection implements Connection {
  #channels = 0;

  constructor(
    readonly host = 'localhost',
    private readonly defaults: { commandTimeoutMs?: number } = {},
  ) {}

  get channelsOpened(): number {
    return this.#channels;
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const wrap = options.become ? becomeWrap(options.become.user) : undefined;
    const line = buildCommandLine(command, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      ...(wrap ? { become: wrap } : {}),
    });
    this.#channels++;
    // Its own process group, so a timeout kills the whole command, not only the shell.
    const child = spawn('/bin/sh', ['-c', line], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const ended = new Promise<ProcessEnd>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, ...(signal ? { signal } : {}) }));
    });
    const timeoutMs = options.timeoutMs ?? this.defaults.commandTimeoutMs;
    return runSession(
      { stdout: child.stdout, stderr: child.stderr, stdin: child.stdin, kill: () => killGroup(child.pid), ended },
      {
        host: this.host,
        command,
        ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
        ...(wrap && options.become ? { become: { wrap, ...(options.become.password ? { password: options.become.password } : {}) } } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
      },
    );
  }

  async close(): Promise<void> {}
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
