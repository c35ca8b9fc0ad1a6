import { connectionSpecFor } from '../connection/spec.ts';
import { InputError } from '../errors.ts';
import { checkRoleModules } from '../module-set.ts';
import type { Play } from '../role.ts';
import type { Reporter } from './events.ts';
import type { RunOptions, RunSummary } from './options.ts';
import { TaskPredictions } from './predicted-task.ts';
import { preflight } from './preflight.ts';
import { RolePlan, runRole } from './run-role.ts';
import { RunState } from './run-state.ts';
import { planHosts, playHosts, selectRoles } from './select.ts';
import { splitBatches } from './serial.ts';

export type { RunOptions, RunSummary } from './options.ts';

/**
 * Run a play: its roles in order, each on its hosts (select(role.hosts) ∩ --limit, minus hosts that
 * failed or were unreachable in an earlier role), in serial batches, up to `forks` hosts at once.
 *
 * Bad input is found before any host is touched: unknown --role names, host patterns, serial
 * values, required variables, connection vars and module arguments (see preflight.ts) throw an
 * InputError from here (the CLI exits 1), before any connection is opened or event emitted.
 *
 * Events: play-start, per role (or serial batch) role-start, per task task-start/task-end (and a
 * command event per remote command), host-failed / host-unreachable when a host drops out,
 * warnings, play-end. The caller closes the reporter. Connections are closed at the end, also
 * when interrupted. Exit code: 4 if any host was unreachable, else 2 if any failed, else 0;
 * 130 / 143 when options.signal was aborted (143 when its reason is 'SIGTERM').
 */
export async function runPlay(play: Play, options: RunOptions, reporter: Reporter): Promise<RunSummary> {
  if (!Number.isInteger(options.forks) || options.forks < 1) {
    throw new InputError(`forks must be a positive whole number, got ${options.forks}`, { field: 'forks' });
  }
  const { inventory } = options;
  const plans = planHosts(inventory, selectRoles(play, options.roles), options.limit);
  for (const plan of plans) {
    splitBatches(plan.hosts, plan.role.serial, plan.role.name);
    checkRoleModules(plan.role);
  }
  const hosts = playHosts(inventory, plans);
  if (options.limit !== undefined && hosts.length === 0) {
    throw new InputError(`--limit ${options.limit} leaves no hosts to run on: the roles target ${plans.map((p) => `${p.role.name} (${p.role.hosts})`).join(', ')}`, { field: 'limit' });
  }
  const specFor = options.specFor ?? ((inv, host, vars) => connectionSpecFor(inv, host, vars));
  const predictions = new TaskPredictions();
  await preflight(plans, options, specFor, predictions);
  options.preflightObserver?.end();
  if (options.preflightOnly) return { stats: {}, exitCode: 0, interrupted: false };

  const state = new RunState(options, reporter, specFor, hosts, predictions);
  const started = performance.now();
  reporter.emit({ type: 'play-start', play: play.name, hosts, check: options.check });
  try {
    // Every later role's first hosts prefetch their probes from the start, each answer used only if nothing changed meanwhile.
    const rolePlans = plans.map(({ role, hosts: roleHosts }) => new RolePlan(state, role, roleHosts));
    for (const later of rolePlans.slice(1)) later.prefetchFirstBatch();
    for (const [index, { role, hosts: roleHosts }] of plans.entries()) {
      if (state.interrupted() || state.aborted) break;
      const planned = rolePlans[index] as RolePlan;
      await runRole(planned.current() ? planned : new RolePlan(state, role, roleHosts));
    }
  } finally {
    await closeConnections(options, reporter);
  }
  const interrupted = state.interrupted();
  const stats = state.stats.snapshot();
  reporter.emit({ type: 'play-end', play: play.name, stats, elapsedMs: performance.now() - started, ...(interrupted ? { interrupted } : {}) });
  return { stats, exitCode: interrupted ? interruptedExitCode(options.signal?.reason) : state.stats.exitCode(), interrupted };
}

async function closeConnections(options: RunOptions, reporter: Reporter): Promise<void> {
  try {
    await options.connections.closeAll();
  } catch (error) {
    reporter.emit({ type: 'warning', message: `closing connections: ${error instanceof Error ? error.message : String(error)}` });
  }
}

/** 143 for SIGTERM (128 + 15), else 130 (SIGINT, 128 + 2), as shells report them. */
function interruptedExitCode(reason: unknown): 130 | 143 {
  const text = reason instanceof Error ? `${reason.name} ${reason.message}` : String(reason);
  return text.includes('SIGTERM') ? 143 : 130;
}
