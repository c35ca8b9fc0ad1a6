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
 */
export async function runRole(state: RunState, role: Role, hosts: readonly string[]): Promise<void> {
  const active = hosts.filter((host) => !state.isOut(host));
  if (active.length === 0) {
    state.emit({ type: 'role-start', role: role.name, hosts: [] });
    return;
  }
  const batches = splitBatches(active, role.serial, role.name);
  for (const [index, batch] of batches.entries()) {
    if (state.interrupted() || state.aborted) return;
    state.emit({
      type: 'role-start',
      role: role.name,
      hosts: batch,
      ...(role.serial !== undefined ? { batch: { index: index + 1, count: batches.length } } : {}),
    });
    const once = new RunOnce(batch);
    await forEachBounded(batch, state.options.forks, (host) => runHost(state, role, host, once), () => !state.interrupted() && !state.aborted);
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

async function runHost(state: RunState, role: Role, host: string, once: RunOnce): Promise<void> {
  const started = performance.now();
  const run = new HostRun(state, role, host, once);
  await run.run();
  state.stats.elapsed(host, performance.now() - started);
}
