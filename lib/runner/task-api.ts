import type { HostFacts } from '../facts/host-facts.ts';
import type { Module } from '../module.ts';
import { builtinModules } from '../modules/index.ts';
import type { TaskResult } from '../result.ts';
import type { HostView, ModuleSet, TaskApi, TaskOptions } from '../role.ts';
import type { Vars } from '../vars.ts';
import { TaskLane } from './task-lane.ts';

/** What differs between the real task API and the preflight one. */
export interface TaskApiParts<H extends string> {
  host: HostView;
  check: boolean;
  call<A, R>(name: string, module: Module<A, R>, args: A, options?: TaskOptions<H, R>): Promise<TaskResult<R>>;
  flush(): Promise<void>;
  hostvars(host: string): Vars;
  setFact(name: string, value: unknown): void;
  facts(): Promise<HostFacts>;
  hostsOf(pattern: string): string[];
  fail(message: string): never;
  /** Shared by the APIs of one host (its role's and its handlers'), so they too run one task at a time. */
  lane?: TaskLane;
}

/** The task API's own members: no module, built-in or the project's, may take one of these names. */
export const TASK_API_MEMBERS = ['host', 'check', 'run', 'flush', 'hostvars', 'setFact', 'facts', 'hostsOf', 'fail'] as const;

export type TaskApiMember = (typeof TASK_API_MEMBERS)[number];

/**
 * A role's `t`: one method per entry of builtinModules (t.file(name, args, options) calls the file
 * module) and of the role's own modules (withModules refused their names when they clash), plus
 * run/flush/hostvars/setFact/facts/hostsOf/fail/host/check.
 */
export function buildTaskApi<H extends string>(parts: TaskApiParts<H>, projectModules: ModuleSet = {}): TaskApi<H> {
  const modules: ModuleSet = { ...projectModules, ...(builtinModules as unknown as ModuleSet) };
  const lane = parts.lane ?? new TaskLane(parts.host.name);
  const call = <A, R>(name: string, module: Module<A, R>, args: A, options?: TaskOptions<H, R>) => lane.enter(name, () => parts.call(name, module, args, options));
  const methods: Record<string, unknown> = {};
  for (const [key, module] of Object.entries(modules)) {
    methods[key] = (name: string, args: unknown, options?: TaskOptions<H, unknown>) => call(name, module, args, options);
  }
  const api = {
    ...methods,
    host: parts.host,
    check: parts.check,
    run: call,
    flush: () => parts.flush(),
    hostvars: (host: string) => parts.hostvars(host),
    setFact: (name: string, value: unknown) => parts.setFact(name, value),
    // Gathering facts is a task on the host too (the first time): it waits its turn like the others.
    facts: () => lane.enter('gather facts', () => parts.facts()),
    hostsOf: (pattern: string) => parts.hostsOf(pattern),
    fail: (message: string): never => parts.fail(message),
  };
  return api as unknown as TaskApi<H>;
}
