import type { Role } from '../role.ts';
import { forEachBounded } from './bounded.ts';
import { HostRun } from './host-run.ts';
import { RunOnce } from './run-once.ts';
import type { RunState } from './run-state.ts';
import { splitBatches } from './serial.ts';

/**
 * Run one role on its hosts (already limited; hosts out of the run are left out here). Hosts go in
 * serial batches; within a batch up to `forks` hosts run at once, each through the role on its own.
 * Batch k+1 starts when batch k is done. When every host of a batch failed, the rest of the role is
 * not run (Ansible stops there with serial); the role's remaining hosts go on to later roles.
 * role-start carries `batch` ({index: 1-based, count}) only when the role has a serial.
 * While a batch runs, the later batches' hosts (up to `forks` of them) connect and prefetch their
 * probes (HostRun.prefetch), which they use only if nothing changed anywhere in the run in between.
 */
export async function runRole(state: RunState, role: Role, hosts: readonly string[]): Promise<void> {
  const active = hosts.filter((host) => !state.isOut(host));
  if (active.length === 0) {
    state.emit({ type: 'role-start', role: role.name, hosts: [] });
    return;
  }
  const batches = splitBatches(active, role.serial, role.name);
  const runs = batches.map((batch) => {
    const once = new RunOnce(batch);
    return new Map(batch.map((host) => [host, new HostRun(state, role, host, once)]));
  });
  const prefetching = new Map<HostRun, Promise<void>>();
  for (const [index, batch] of batches.entries()) {
    if (state.interrupted() || state.aborted) return;
    const batchRuns = runs[index] as Map<string, HostRun>;
    // This batch's prefetches must have landed before its hosts probe.
    await Promise.all([...batchRuns.values()].map((run) => prefetching.get(run) ?? Promise.resolve()));
    // The later batches' hosts prefetch while this one runs, up to `forks` hosts ahead.
    const ahead = runs.slice(index + 1).flatMap((later) => [...later.values()]);
    if (state.options.batchProbes !== false) for (const run of ahead.slice(0, state.options.forks)) if (!prefetching.has(run)) prefetching.set(run, run.prefetch());
    state.emit({
      type: 'role-start',
      role: role.name,
      hosts: batch,
      ...(role.serial !== undefined ? { batch: { index: index + 1, count: batches.length } } : {}),
    });
    await forEachBounded(batch, state.options.forks, (host) => runHost(state, batchRuns.get(host) as HostRun), () => !state.interrupted() && !state.aborted);
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
