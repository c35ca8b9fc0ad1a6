import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

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

/** True only for a container init running on this host's overlay (its upper dir is in its mounts). */
export function isOurLeader(pid: number, upperDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(`upperdir=${upperDir}`);
  } catch {
    return false;
  }
}

/**
 * PIDs of live processes whose mounts mention path. Once a bed's overlays are unmounted from the
 * root namespace, any such process is a container (or an orphaned container init) left behind.
 */
export function pidsMounting(path: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/mountinfo`, 'utf8').includes(path);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter((pid) => pid !== process.pid && isAlive(pid));
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
