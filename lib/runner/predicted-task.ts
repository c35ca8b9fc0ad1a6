import type { Module } from '../module.ts';
import type { Role } from '../role.ts';

/**
 * A task the preflight pass saw a role's run() call on a host, with its arguments validated and
 * prepared, in call order. Only modules with batchProbes are kept: the runner may learn their
 * probe ahead of time (probe-batcher.ts).
 */
export interface PredictedTask {
  readonly name: string;
  readonly module: Module<unknown, unknown>;
  readonly args: unknown;
  readonly become?: boolean;
  readonly becomeUser?: string;
}

/** Per role, per host: the tasks its run() is expected to call, in order. */
export class TaskPredictions {
  readonly #byRole = new Map<Role, Map<string, PredictedTask[]>>();

  add(role: Role, host: string, task: PredictedTask): void {
    let hosts = this.#byRole.get(role);
    if (!hosts) this.#byRole.set(role, (hosts = new Map()));
    let tasks = hosts.get(host);
    if (!tasks) hosts.set(host, (tasks = []));
    tasks.push(task);
  }

  of(role: Role, host: string): readonly PredictedTask[] {
    return this.#byRole.get(role)?.get(host) ?? [];
  }
}
