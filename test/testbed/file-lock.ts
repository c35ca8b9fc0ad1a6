import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PloyError } from '../../lib/errors.ts';

/**
 * Run fn while holding an exclusive flock(1) on path, so that concurrent test processes build the
 * base image or pick an address block one at a time. The lock is held by a `flock ... cat` child
 * reading our stdin: it is released when fn settles, and by the kernel if this process dies.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const holder = spawn('flock', ['--exclusive', path, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: Buffer[] = [];
  holder.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = once(holder, 'exit');
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', (error) => reject(new PloyError(`cannot lock ${path}: ${error.message}`, { cause: error })));
    holder.once('exit', (code) => reject(new PloyError(`cannot lock ${path}: flock exited with ${code}: ${Buffer.concat(stderr).toString().trim()}`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await exited;
  }
}
