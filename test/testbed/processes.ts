import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A live process (zombies count as gone: on this machine PID 1 may never reap an orphan). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** True only for the systemd-nspawn this bed started for `machine`: a reused PID is never signalled. */
export function isOurNspawn(pid: number, machine: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return (argv[0] ?? '').endsWith('systemd-nspawn') && argv.includes(`--machine=${machine}`);
  } catch {
    return false;
  }
}

/** The container's init: the child of systemd-nspawn that lives in another PID namespace. */
export function findLeader(nspawnPid: number): number | undefined {
  let children: number[];
  try {
    children = readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
  const ours = pidNamespace(nspawnPid);
  return children.find((child) => pidNamespace(child) !== ours && pidNamespace(child) !== undefined);
}

function pidNamespace(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

export interface OwnedProcess {
  pid: number;
  machine: string;
}

const GRACE_MS = 15_000;
const POLL_MS = 50;

/**
 * SIGTERM each container (systemd-nspawn --boot then powers the container off), wait for them to
 * exit, SIGKILL whatever is still running after the grace period, and wait again.
 */
export async function stopProcesses(processes: readonly OwnedProcess[]): Promise<void> {
  const ours = processes.filter((p) => isOurNspawn(p.pid, p.machine));
  signal(ours, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (ours.some((p) => isAlive(p.pid)) && Date.now() < deadline) await sleep(POLL_MS);
  signal(ours.filter((p) => isAlive(p.pid)), 'SIGKILL');
  while (ours.some((p) => isAlive(p.pid))) await sleep(POLL_MS);
}

/** The same, blocking: for a process 'exit' handler, where nothing can be awaited. */
export function stopProcessesSync(processes: readonly OwnedProcess[]): void {
  const ours = processes.filter((p) => isOurNspawn(p.pid, p.machine));
  signal(ours, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (ours.some((p) => isAlive(p.pid)) && Date.now() < deadline) Atomics.wait(pause, 0, 0, POLL_MS);
  signal(ours.filter((p) => isAlive(p.pid)), 'SIGKILL');
  while (ours.some((p) => isAlive(p.pid))) Atomics.wait(pause, 0, 0, POLL_MS);
}

function signal(processes: readonly OwnedProcess[], name: NodeJS.Signals): void {
  for (const p of processes) {
    try {
      process.kill(p.pid, name);
    } catch {
      // already gone
    }
  }
}

/** PIDs of every live systemd-nspawn whose machine name starts with prefix (for checks in tests). */
export function nspawnPidsWithPrefix(prefix: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if ((argv[0] ?? '').endsWith('systemd-nspawn') && argv.some((a) => a.startsWith(`--machine=${prefix}-`))) found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found.filter(isAlive);
}
