import type { Connection } from '../connection/connection.ts';
import type { ConnectionSpec } from '../connection/spec.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Vars } from '../vars.ts';
import type { HostStats } from './events.ts';
import type { PreflightObserver } from './preflight-observer.ts';
import type { StartAtTask } from './start-at-task.ts';
import type { RunStats } from './stats.ts';

export interface RunOptions {
  inventory: Inventory;
  /** Host pattern, intersected with each role's hosts. */
  limit?: string;
  check: boolean;
  diff: boolean;
  tags?: string[];
  skipTags?: string[];
  /** --role: run only these roles of the play. */
  roles?: string[];
  /** Hosts in flight at once. */
  forks: number;
  extraVars: Vars;
  /** templates/ and files/ live here. */
  projectDir: string;
  /** Usually a ConnectionPool: get() is called once per host per run, closeAll() at the end. */
  connections: { get(spec: ConnectionSpec): Promise<Connection>; closeAll(): Promise<void> };
  /** Default: connectionSpecFor from lib/connection/spec.ts. */
  specFor?: (inventory: Inventory, host: string, vars: Vars) => ConnectionSpec;
  /**
   * Aborting stops new tasks from starting; in-flight ones finish, then the run ends interrupted.
   * Abort with the reason 'SIGTERM' for exit code 143; any other reason gives 130 (SIGINT).
   */
  signal?: AbortSignal;
  /**
   * Counters to fill instead of fresh ones: a caller that must stop at once (a second SIGINT)
   * can still print the recap so far from them.
   */
  stats?: RunStats;
  /**
   * Send the probes of a host's upcoming tasks in one round trip with the current task's probe
   * (probe-batcher.ts). Default true; false sends every probe on its own.
   */
  batchProbes?: boolean;
  /** Told of every task the preflight pass sees (--list-tasks, --list-tags, --start-at-task); see preflight-observer.ts. */
  preflightObserver?: PreflightObserver;
  /** End after the preflight pass, before any connection is opened (--syntax-check, --list-tasks, --list-tags). */
  preflightOnly?: boolean;
  /** --start-at-task: each host skips its tasks until it comes to this one (start-at-task.ts). */
  startAt?: StartAtTask;
}

export interface RunSummary {
  stats: Record<string, HostStats>;
  exitCode: 0 | 2 | 4 | 130 | 143;
  interrupted: boolean;
}
