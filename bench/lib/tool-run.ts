import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { PloyError } from '../../lib/errors.ts';
import { parseRecap, type HostRecap } from './recap.ts';

export type Tool = 'ploy' | 'ansible';

/** How to start one run of a tool. */
export interface ToolCommand {
  tool: Tool;
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface ToolRun {
  tool: Tool;
  /** From spawn to the tool's exit, as a user waits for it. */
  wallMs: number;
  /** The largest resident set of the tool's processes (GNU time's %M, from getrusage). */
  peakRssKb: number;
  exitCode: number;
  recap: Record<string, HostRecap>;
  /** Everything the tool printed. */
  logPath: string;
}

const running = new Set<number>();

/** SIGTERM every tool run still going: a bench that fails midway leaves none behind. */
export function stopRunningTools(): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/**
 * Run a tool to its end under /usr/bin/time, its output to a file (not a pipe: Ansible's
 * ControlPersist masters outlive it and would hold a pipe open). Timing stops at the tool's exit.
 */
export async function runTool(command: ToolCommand, logPath: string): Promise<ToolRun> {
  const rssPath = `${logPath}.rss`;
  const log = openSync(logPath, 'w');
  let wallMs: number;
  let exitCode: number;
  try {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssPath, ...command.argv], { cwd: command.cwd, env: command.env, stdio: ['ignore', log, log] });
    if (child.pid !== undefined) running.add(child.pid);
    exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(new PloyError(`bench: cannot start ${command.argv[0]}: ${error.message}`, { cause: error })));
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
    });
    wallMs = performance.now() - started;
    if (child.pid !== undefined) running.delete(child.pid);
  } finally {
    closeSync(log);
  }
  const output = readFileSync(logPath, 'utf8');
  const peakRssKb = readRss(rssPath);
  rmSync(rssPath, { force: true });
  return { tool: command.tool, wallMs, peakRssKb, exitCode, recap: parseRecap(output), logPath };
}

/** GNU time writes "Command exited with non-zero status N" before the value when the tool failed. */
function readRss(path: string): number {
  try {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const value = Number(lines[lines.length - 1]);
    return Number.isFinite(value) ? value : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
