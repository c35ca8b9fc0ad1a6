/**
 * Running a playbook through the real CLI (a `node --import tsx PLAYBOOK` process) against the
 * test bed, for the fault, bad-input and secrets tests: output captured, every run bounded.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { quote } from '../../lib/shell.ts';
import type { Testbed } from '../testbed/bed.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface CliRun {
  /** Exit code; null when the process was killed by a signal (see signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** True when the run outlived its bound and was killed. */
  hung: boolean;
}

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
  done: Promise<CliRun>;
}

export interface CliOptions {
  /** HOME of the run: where ~/.ssh/known_hosts is read (see cliHome). */
  home: string;
  env?: Record<string, string>;
  /** Kill the run (SIGKILL) after this long: a hang fails the test instead of stalling it. Default 60 s. */
  boundMs?: number;
  /** Run it on a pseudo-terminal (util-linux script): stdout and stderr then arrive merged on stdout. */
  tty?: boolean;
  /** Written to the run's standard input, which is then closed (default: closed at once). */
  stdin?: string;
  /** Leave standard input open: the caller writes to child.stdin (and ends it) itself. */
  keepStdinOpen?: boolean;
}

/** A HOME whose ~/.ssh/known_hosts holds the bed's host keys (and no ~/.ssh/config). */
export function cliHome(bed: Testbed): string {
  const home = mkdtempSync(join(tmpdir(), 'ploy-cli-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  copyFileSync(bed.knownHostsPath, join(home, '.ssh', 'known_hosts'));
  return home;
}

export function removeHome(home: string | undefined): void {
  if (home) rmSync(home, { recursive: true, force: true });
}

/** Start a playbook (a path under ROOT) with these arguments; NO_COLOR unless env says otherwise. */
export function startCli(playbook: string, args: readonly string[], options: CliOptions): CliProcess {
  const started = Date.now();
  const argv = [process.execPath, '--import', 'tsx', join(ROOT, playbook), ...args];
  const [program, ...programArgs] = options.tty ? ['script', '-qfec', argv.map((arg) => quote(arg)).join(' '), '/dev/null'] : argv;
  const child = spawn(program as string, programArgs, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.home, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (!options.keepStdinOpen) child.stdin.end(options.stdin ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let hung = false;
  const bound = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, options.boundMs ?? 60_000);
  const done = new Promise<CliRun>((resolveRun) => {
    child.on('close', (code, signal) => {
      clearTimeout(bound);
      const run = { code, signal, stdout, stderr, ms: Date.now() - started, hung };
      if (process.env.PLOY_TEST_SHOW_CLI) process.stderr.write(`\n### ${playbook} ${args.join(' ')}\n${shown(run)}\n`);
      resolveRun(run);
    });
  });
  return { child, output: () => ({ stdout, stderr }), done };
}

export function runCli(playbook: string, args: readonly string[], options: CliOptions): Promise<CliRun> {
  return startCli(playbook, args, options).done;
}

/** Everything a run printed, for assertion messages. */
export function shown(run: CliRun): string {
  return `exit ${run.code ?? run.signal} after ${run.ms} ms${run.hung ? ' (HUNG, killed)' : ''}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}

/** Poll until check() is true; fails after `ms`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, ms = 30_000, everyMs = 100): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

/**
 * Slow down what the controller sends to a bed host (a token bucket on the root-namespace end of
 * its veth), so a test can act while a big write is under way. Returns the undo.
 */
export function throttleToHost(bed: Testbed, host: string, rate = '24mbit'): () => void {
  const { netns } = bed.host(host);
  const eth0 = execFileSync('ip', ['-n', netns, '-o', 'link', 'show', 'eth0'], { encoding: 'utf8' });
  const peerIndex = /eth0@if(\d+)/.exec(eth0)?.[1];
  const peer = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^(\d+): ([^:@]+)/.exec(line))
    .find((m) => m?.[1] === peerIndex)?.[2];
  if (!peer) throw new Error(`cannot find the veth of ${host} (eth0: ${eth0.trim()})`);
  execFileSync('tc', ['qdisc', 'replace', 'dev', peer, 'root', 'tbf', 'rate', rate, 'burst', '64kb', 'latency', '500ms']);
  return () => execFileSync('tc', ['qdisc', 'del', 'dev', peer, 'root']);
}
