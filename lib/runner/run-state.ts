import type { Connection } from '../connection/connection.ts';
import type { ConnectionSpec } from '../connection/spec.ts';
import type { Inventory } from '../inventory/types.ts';
import type { HostFacts } from '../facts/host-facts.ts';
import type { HostView, Role } from '../role.ts';
import type { Vars } from '../vars.ts';
import type { Reporter, RunEvent } from './events.ts';
import { FactStore } from './fact-store.ts';
import { roleHostVars } from './host-vars.ts';
import { TaskPredictions } from './predicted-task.ts';
import type { RunOptions } from './options.ts';
import { RunStats } from './stats.ts';

type SpecFor = (inventory: Inventory, host: string, vars: Vars) => ConnectionSpec;

/** Everything the hosts of one run share: options, reporter, stats, connections, who is out. */
export class RunState {
  readonly stats: RunStats;
  /** Hosts that failed or were unreachable: later roles leave them out. */
  readonly failed = new Set<string>();
  readonly unreachable = new Set<string>();
  /** Values set with t.setFact, per host, for the rest of the run. */
  readonly facts = new FactStore();
  /** t.facts() per host: gathered once per run. */
  readonly gathered = new Map<string, Promise<HostFacts>>();
  /** Set when a host failed in a role with anyErrorsFatal: every host stops, no further role starts. */
  aborted?: { role: string; host: string };
  readonly #connections = new Map<string, Promise<Connection>>();
  /**
   * Moves at the start and at the end of every command that is not a probe, on any host: answers
   * prefetched for a later serial batch are good only while it has not moved since they were asked.
   */
  #changeMarks = 0;
  /** Prefetched probes on their way: a change waits for them, so that no speculative read runs beside a change. */
  readonly #speculative = new Set<Promise<unknown>>();

  constructor(
    readonly options: RunOptions,
    readonly reporter: Reporter,
    readonly specFor: SpecFor,
    hosts: readonly string[],
    /** What the preflight pass saw each role call on each host, for batching probes. */
    readonly predictions: TaskPredictions = new TaskPredictions(),
  ) {
    this.stats = options.stats ?? new RunStats();
    this.stats.include(hosts);
  }

  get inventory(): Inventory {
    return this.options.inventory;
  }

  emit(event: RunEvent): void {
    this.reporter.emit(event);
  }

  interrupted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  isOut(host: string): boolean {
    return this.failed.has(host) || this.unreachable.has(host);
  }

  vars(role: Role, host: string): Vars {
    return roleHostVars(role.defaults, this.inventory.host(host), this.options.extraVars, this.facts.of(host));
  }

  /** A host of a role with anyErrorsFatal failed: stop them all (once). */
  abort(role: string, host: string): void {
    if (this.aborted) return;
    this.aborted = { role, host };
    this.emit({ type: 'warning', message: `role ${role} has anyErrorsFatal and ${host} failed: stopping every host and the play` });
  }

  hostView(host: string): HostView {
    const entry = this.inventory.host(host);
    return { name: entry.name, groups: entry.groups };
  }

  /** Where the run stands in its changes: equal readings mean no host can have changed in between. */
  changeMark(): number {
    return this.#changeMarks;
  }

  /**
   * Run a command that may change a host, marking the run changed when it starts and when it ends.
   * Prefetched probes still on their way land first: what they read is then the state before the
   * change, never a mix (and a cluster's answers, such as an admission webhook's, are not skewed by them).
   */
  async changing<T>(command: () => Promise<T>): Promise<T> {
    if (this.#speculative.size > 0) await Promise.allSettled([...this.#speculative]);
    this.#changeMarks++;
    try {
      return await command();
    } finally {
      this.#changeMarks++;
    }
  }

  /** A prefetch's round trip, which changes wait for (changing). */
  speculate<T>(read: Promise<T>): Promise<T> {
    this.#speculative.add(read);
    const done = () => this.#speculative.delete(read);
    read.then(done, done);
    return read;
  }

  /** The host's connection: asked of the pool once per host for the whole run. */
  connection(host: string, spec: ConnectionSpec): Promise<Connection> {
    let connection = this.#connections.get(host);
    if (!connection) {
      connection = this.options.connections.get(spec);
      this.#connections.set(host, connection);
    }
    return connection;
  }
}
