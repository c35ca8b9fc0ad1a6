import type { ArgsOf, DataOf, Module } from './module.ts';
import type { BuiltinModules } from './modules/index.ts';
import type { TaskResult } from './result.ts';
import type { Vars } from './vars.ts';

export interface TaskOptions<H extends string> {
  /** Handlers to notify when this task changes something. */
  notify?: H | readonly H[];
  /** Tags for --tags / --skip-tags selection, added to the role's own tags. */
  tags?: readonly string[];
  /** Run as root (or becomeUser) via sudo; defaults to the host's ansible_become. */
  become?: boolean;
  becomeUser?: string;
  /** A failure is reported but the host's role goes on. */
  ignoreErrors?: boolean;
}

type ModuleMethods<H extends string> = {
  [K in keyof BuiltinModules]: (
    name: string,
    args: ArgsOf<BuiltinModules[K]>,
    options?: TaskOptions<H>,
  ) => Promise<TaskResult<DataOf<BuiltinModules[K]>>>;
};

/** What a role's run() sees of the host it configures. */
export interface HostView {
  readonly name: string;
  readonly groups: readonly string[];
}

/** The task API a role and its handlers receive: one method per module, plus the escape hatches. */
export type TaskApi<H extends string = never> = ModuleMethods<H> & {
  readonly host: HostView;
  /** True in check mode, for display only: modules plan, the runner decides; roles must not branch on it. */
  readonly check: boolean;
  /** Run any module, built-in or the project's own. */
  run<A, R>(name: string, module: Module<A, R>, args: A, options?: TaskOptions<H>): Promise<TaskResult<R>>;
  /** Run the handlers notified so far, now, instead of at the end of the role. */
  flush(): Promise<void>;
  /** Another host's merged variables (like Ansible's hostvars). */
  hostvars(host: string): Vars;
  /** Host names of a group or pattern, sorted as the inventory lists them. */
  hostsOf(pattern: string): string[];
  /** Fail this host with a message (stops its tasks; the other hosts go on). */
  fail(message: string): never;
};

export type Handler = (t: TaskApi<never>) => Promise<void>;

export interface RoleDef<V extends Vars, H extends string> {
  name: string;
  /** Host pattern the role applies to (group names, globs, a:b, a:&b, a:!b). */
  hosts: string;
  /** Lowest-precedence variables; inventory and -e override them. */
  defaults: V;
  /** Names of variables that must be set somewhere (inventory or -e); checked before any host is touched. */
  required?: readonly string[];
  /** Hosts per batch: a number, or a percentage like "30%". Default: all at once. */
  serial?: number | `${number}%`;
  tags?: readonly string[];
  /** Handlers, run once per host at the end of the role in definition order, when notified. */
  handlers?: Record<H, Handler>;
  run(t: TaskApi<H>, vars: V & Vars): Promise<void>;
}

export interface Role<V extends Vars = Vars, H extends string = string> extends RoleDef<V, H> {
  readonly kind: 'role';
}

export function defineRole<V extends Vars, H extends string = never>(def: RoleDef<V, H>): Role<V, H> {
  return { ...def, kind: 'role' };
}

export interface Play {
  name: string;
  roles: ReadonlyArray<Role>;
}

export function definePlay(play: Play): Play {
  return play;
}
