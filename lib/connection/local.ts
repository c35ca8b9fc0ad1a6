import { spawn } from 'node:child_process';
import type { Connection, ExecOptions, ExecResult } from './connection.ts';

/**
 * The controller itself, as a host (ansible_connection: local). Each exec is a /bin/sh child
 * process; there is no channel limit to respect, but channels are counted like SSH ones.
 */
export class LocalConnection implements Connection {
  #channels = 0;

  constructor(readonly host = 'localhost') {}

  get channelsOpened(): number {
    return this.#channels;
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.#channels++;
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer = options.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs)
        : undefined;
      child.stdout.on('data', (b: Buffer) => stdout.push(b));
      child.stderr.on('data', (b: Buffer) => stderr.push(b));
      child.on('error', reject);
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        const err = Buffer.concat(stderr).toString('utf8');
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: timedOut ? `${err}timed out after ${options.timeoutMs} ms` : err,
        });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin ?? '');
    });
  }

  async close(): Promise<void> {}
}
