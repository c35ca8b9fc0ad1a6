import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { attemptSync } from './command.ts';
import { REGISTRY_DIR, forgetState, loadState, type BedState } from './bed-state.ts';
import { removeNatSync, removeNetworkSync } from './network.ts';
import { stopContainers, stopContainersSync, type ContainerToStop } from './container-stop.ts';

/** The files a bed puts in its directory (all of it is removed when the bed created the directory). */
export const BED_FILES = ['id_ed25519', 'id_ed25519.pub', 'known_hosts', 'ssh_config', 'inventory.yml', 'hosts'];

function containers(state: BedState): ContainerToStop[] {
  return state.plan.hosts.flatMap((host) => {
    const record = state.hosts[host.name];
    if (!record) return [];
    return [{ nspawn: record.pid, leader: record.leader ?? null, machine: host.machine, upperDir: join(record.hostDir, 'upper') }];
  });
}

/** Power every container off (by PID), then remove everything else the bed made. Idempotent. */
export async function tearDown(state: BedState): Promise<string[]> {
  await stopContainers(containers(state));
  return removeAllButProcesses(state);
}

/** The same, blocking, for a process 'exit' handler. */
export function tearDownSync(state: BedState): string[] {
  stopContainersSync(containers(state));
  return removeAllButProcesses(state);
}

/** Returns what could not be removed (an overlay still busy, say), for the caller to report. */
function removeAllButProcesses(state: BedState): string[] {
  const leftovers: string[] = [];
  for (const host of state.plan.hosts) {
    const record = state.hosts[host.name];
    if (record) Object.assign(record, { pid: null, leader: null });
    if (record && isMounted(record.merged)) {
      if (attemptSync`umount ${record.merged}`.code !== 0) attemptSync`umount --lazy ${record.merged}`;
      if (isMounted(record.merged)) leftovers.push(`overlay still mounted on ${record.merged}`);
    }
  }
  removeNetworkSync(state.plan);
  removeNatSync(state.plan, state.nat, otherBedsUseNat(state.plan.index));

  if (process.env.PLOY_TESTBED_KEEP !== '1' && leftovers.length === 0) {
    if (state.createdDir) rmSync(state.dir, { recursive: true, force: true });
    else for (const name of BED_FILES) rmSync(join(state.dir, name), { recursive: true, force: true });
  }
  forgetState(state.plan.index);
  return leftovers;
}

function isMounted(path: string): boolean {
  const escaped = path.replace(/ /g, '\\040');
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === escaped);
}

function otherBedsUseNat(index: number): boolean {
  if (!existsSync(REGISTRY_DIR)) return false;
  return readdirSync(REGISTRY_DIR)
    .filter((name) => /^bed-\d+\.json$/.test(name) && name !== `bed-${index}.json`)
    .some((name) => {
      try {
        return loadState(join(REGISTRY_DIR, name)).nat !== undefined;
      } catch {
        return false;
      }
    });
}
