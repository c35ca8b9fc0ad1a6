import type { Role } from '../role.ts';
import { forEachBounded } from './bounded.ts';
import { HostRun } from './host-run.ts';
import { RunOnce } from './run-once.ts';
import type { RunState } from './run-state.ts';
import { splitBatches } from './serial.ts';

/**
 * One role on its hosts (already limited; hosts out of the run are left out), split into serial
 * batches, each host with its HostRun: made before the role runs so that its first batch can
 * prefetch its probes while the role before it runs (prefetchFirstBatch).
 */
export class RolePlan {
  readonly hosts: readonly string[];
  readonly batches: readonly (readonly string[])[];
  readonly runs: ReadonlyArray<ReadonlyMap<string, HostRun>>;
  readonly prefetching = new Map<HostRun, Promise<void>>();

  constructor(
    readonly state: RunState,
    readonly role: Role,
    hosts: readonly string[],
  ) {
    this.hosts = hosts.filter((host) => !state.isOut(host));
    this.batches = this.hosts.length === 0 ? [] : splitBatches(this.hosts, role.serial, role.name);
    this.runs = this.batches.map((batch) => {
      const once = new RunOnce(batch);
      return new Map(batch.map((host) => [host, new HostRun(state, role, host, once)]));
    });
  }

  /** Whether this plan still fits the run: no host of it dropped out since it was made. */
  current(): boolean {
    return this.hosts.every((host) => !this.state.isOut(host));
  }

  /** The first batch's hosts (up to `forks`) connect and prefetch their probes, while the role before this one runs. */
  prefetchFirstBatch(): void {
    // With --start-at-task a host may run nothing of this role: it is not connected to ahead of time.
    if (this.state.options.batchProbes === false || this.state.options.startAt) return;
    for (const run of [...(this.runs[0]?.values() ?? [])].slice(0, this.state.options.forks)) if (!this.prefetching.has(run)) this.prefetching.set(run, run.prefetch('role'));
  }
}

/**
 * Run one role's plan. Hosts go in serial batches; within a batch up to `forks` hosts run at once,
 * each through the role on its own. Batch k+1 starts when batch k is done. When every host of a
 * batch failed, the rest of the role is not run (Ansible stops there with serial); the role's
 * remaining hosts go on to later roles. role-start carries `batch` ({index: 1-based, count}) only
 * when the role has a serial. While a batch runs, the later batches' hosts (up to `forks` of them)
 * connect and prefetch their probes (HostRun.prefetch), which they use only if nothing changed
 * anywhere in the run in between.
 */
export async function runRole(plan: RolePlan): Promise<void> {
  const { state, role, batches, runs, prefetching } = plan;
  if (batches.length === 0) {
    state.emit({ type: 'role-start', role: role.name, hosts: [] });
    return;
  }
  for (const [index, batch] of batches.entries()) {
    if (state.interrupted() || state.aborted) return;
    const batchRuns = runs[index] as ReadonlyMap<string, HostRun>;
    // This batch's prefetches must have landed before its hosts probe.
    await Promise.all([...batchRuns.values()].map((run) => prefetching.get(run) ?? Promise.resolve()));
    // The later batches' hosts prefetch while this one runs, up to `forks` hosts ahead.
    const ahead = runs.slice(index + 1).flatMap((later) => [...later.values()]);
    if (state.options.batchProbes !== false) for (const run of ahead.slice(0, state.options.forks)) if (!prefetching.has(run)) prefetching.set(run, run.prefetch('serial batch'));
    state.emit({
      type: 'role-start',
      role: role.name,
      hosts: [...batch],
      ...(role.serial !== undefined ? { batch: { index: index + 1, count: batches.length } } : {}),
    });
    await forEachBounded(
      batch,
      state.options.forks,
      (host) => runHost(state, batchRuns.get(host) as HostRun),
      () => !state.interrupted() && !state.aborted,
    );
    const rest = batches.slice(index + 1).flat();
    if (rest.length > 0 && batch.every((host) => state.isOut(host))) {
      state.emit({
        type: 'warning',
        message: `role ${role.name}: every host of batch ${index + 1}/${batches.length} failed; not running it on ${rest.join(', ')}`,
      });
      return;
    }
  }
}

async function runHost(state: RunState, run: HostRun): Promise<void> {
  const started = performance.now();
  await run.run();
  state.stats.elapsed(run.host, performance.now() - started);
}
