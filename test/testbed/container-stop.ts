import { setTimeout as sleep } from 'node:timers/promises';
import { PloyError } from '../../lib/errors.ts';
import { findLeader, isAlive, isOurLeader, isOurNspawn } from './processes.ts';

/** A container as its bed recorded it: the PIDs may be stale, so each is checked before a signal. */
export interface ContainerToStop {
  nspawn: number | null;
  leader: number | null;
  machine: string;
  /** The host's overlay upper dir: only an init mounting it is this container's. */
  upperDir: string;
}

/** systemd halts on SIGRTMIN+3 (glibc's SIGRTMIN is 34); what systemd-nspawn sends it on SIGTERM. */
const SIGRTMIN_3 = 37;
const GRACE_MS = 15_000;
const NUDGE_MS = 1_000;
const KILL_WAIT_MS = 2_000;
const GIVE_UP_MS = GRACE_MS + 30_000;
const POLL_MS = 50;

/**
 * Stopping runs as steps, so that the async stop() and the blocking exit handler share it:
 * SIGTERM systemd-nspawn (the container powers off); re-send the halt signal to the init every
 * second (an init still booting ignores it); after the grace period SIGKILL the init, which ends
 * its whole PID namespace (killing only systemd-nspawn would orphan the container), then nspawn.
 */
class Stopper {
  readonly #items: Array<{ nspawn?: number; leader?: number; upperDir: string }>;
  readonly #started = Date.now();
  #nudged = Date.now();
  #killed = 0;

  constructor(containers: readonly ContainerToStop[]) {
    this.#items = containers.map((c) => {
      const nspawn = c.nspawn !== null && isOurNspawn(c.nspawn, c.machine) ? c.nspawn : undefined;
      const candidate = c.leader ?? (nspawn !== undefined ? findLeader(nspawn) : undefined) ?? null;
      const leader = candidate !== null && isOurLeader(candidate, c.upperDir) ? candidate : undefined;
      return { ...(nspawn !== undefined ? { nspawn } : {}), ...(leader !== undefined ? { leader } : {}), upperDir: c.upperDir };
    });
    for (const item of this.#items) {
      if (item.nspawn !== undefined) signal(item.nspawn, 'SIGTERM');
      else if (item.leader !== undefined) signal(item.leader, SIGRTMIN_3);
    }
  }

  /** One step; true once every container is gone. */
  step(): boolean {
    const now = Date.now();
    const alive = this.#items.filter((i) => (i.nspawn !== undefined && isAlive(i.nspawn)) || (i.leader !== undefined && isAlive(i.leader)));
    if (alive.length === 0) return true;
    for (const item of alive) {
      if (item.leader !== undefined || item.nspawn === undefined) continue;
      const leader = findLeader(item.nspawn);
      if (leader !== undefined && isOurLeader(leader, item.upperDir)) item.leader = leader;
    }
    if (now - this.#started < GRACE_MS) {
      if (now - this.#nudged >= NUDGE_MS) {
        for (const item of alive) if (item.leader !== undefined) signal(item.leader, SIGRTMIN_3);
        this.#nudged = now;
      }
    } else if (this.#killed === 0) {
      for (const item of alive) if (item.leader !== undefined) signal(item.leader, 'SIGKILL');
      this.#killed = now;
    } else if (now - this.#killed >= KILL_WAIT_MS) {
      for (const item of alive) if (item.nspawn !== undefined) signal(item.nspawn, 'SIGKILL');
    }
    if (now - this.#started > GIVE_UP_MS) {
      const pids = alive.flatMap((i) => [i.nspawn, i.leader]).filter((pid) => pid !== undefined && isAlive(pid));
      throw new PloyError(`test bed: containers still running after SIGKILL: PIDs ${pids.join(', ')}`);
    }
    return false;
  }
}

export async function stopContainers(containers: readonly ContainerToStop[]): Promise<void> {
  const stopper = new Stopper(containers);
  while (!stopper.step()) await sleep(POLL_MS);
}

/** The same, blocking: for a process 'exit' handler, where nothing can be awaited. */
export function stopContainersSync(containers: readonly ContainerToStop[]): void {
  const stopper = new Stopper(containers);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!stopper.step()) Atomics.wait(pause, 0, 0, POLL_MS);
}

function signal(pid: number, name: NodeJS.Signals | number): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
