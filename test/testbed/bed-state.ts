import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PloyError } from '../../lib/errors.ts';
import { attempt } from './command.ts';
import { withFileLock } from './file-lock.ts';
import { MAX_BED_INDEX, type BedPlan } from './plan.ts';
import { isAlive, isOurNspawn } from './processes.ts';

/** Everything a bed created, written down as it goes, so that any process can clean it up. */
export interface BedState {
  plan: BedPlan;
  dir: string;
  /** The bed created dir itself (else it only removes what it put inside). */
  createdDir: boolean;
  /** The process that owns the bed and cleans it up on exit; null once detached (the CLI's beds). */
  ownerPid: number | null;
  nat?: { defaultInterface: string; previousIpForward: string };
  hosts: Record<string, HostState>;
}

export interface HostState {
  hostDir: string;
  /** The overlay's mount point; its upper dir keeps the host's disk while the host is stopped. */
  merged: string;
  /** systemd-nspawn's PID while the container runs. */
  pid: number | null;
  /** The container's init (PID 1 inside), once it has booted. */
  leader: number | null;
}

/** Bed records live on tmpfs, so a reboot (which ends every bed) also forgets them. */
export const REGISTRY_DIR = '/run/ploy-testbed';

export function statePath(index: number): string {
  return join(REGISTRY_DIR, `bed-${index}.json`);
}

export function saveState(state: BedState): void {
  const path = statePath(state.plan.index);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function loadState(path: string): BedState {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BedState;
  } catch (error) {
    throw new PloyError(`cannot read test-bed state ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export function forgetState(index: number): void {
  rmSync(statePath(index), { force: true });
}

/**
 * Claim a free address block: no bed record for it, and no interface or route of the machine
 * already using its names or subnets. The claim is the record itself, written under a lock.
 */
export async function claimIndex(write: (index: number) => BedState): Promise<BedState> {
  mkdirSync(REGISTRY_DIR, { recursive: true });
  return withFileLock(join(REGISTRY_DIR, '.lock'), async () => {
    const links = (await attempt`ip -o link show`).stdout;
    const routes = (await attempt`ip route show table all`).stdout;
    for (let index = 1; index <= MAX_BED_INDEX; index++) {
      if (existsSync(statePath(index))) continue;
      if (new RegExp(`: pt${index}[a-z]`).test(links)) continue;
      if (routes.includes(`10.231.${index}.`) || routes.includes(`10.232.${index}.`)) continue;
      const state = write(index);
      saveState(state);
      return state;
    }
    throw new PloyError(`no free test-bed address block: ${MAX_BED_INDEX} beds recorded in ${REGISTRY_DIR} (see "npm run testbed -- down --stale")`);
  });
}

/** Hosts of every bed recorded on the machine (beds of other processes included). */
export function recordedHostCount(): number {
  if (!existsSync(REGISTRY_DIR)) return 0;
  return readdirSync(REGISTRY_DIR)
    .filter((name) => /^bed-\d+\.json$/.test(name))
    .reduce((sum, name) => {
      try {
        return sum + loadState(join(REGISTRY_DIR, name)).plan.hosts.length;
      } catch {
        return sum;
      }
    }, 0);
}

/**
 * Leftovers: beds whose owning process died without cleaning up (killed), and detached beds none
 * of whose containers still run.
 */
export function staleBeds(): BedState[] {
  if (!existsSync(REGISTRY_DIR)) return [];
  return readdirSync(REGISTRY_DIR)
    .filter((name) => /^bed-\d+\.json$/.test(name))
    .map((name) => loadState(join(REGISTRY_DIR, name)))
    .filter((state) => {
      if (state.ownerPid !== null) return !isAlive(state.ownerPid);
      return !state.plan.hosts.some((h) => {
        const pid = state.hosts[h.name]?.pid;
        return pid != null && isOurNspawn(pid, h.machine);
      });
    });
}
