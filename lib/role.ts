import type { HostFacts } from './facts/host-facts.ts';
import type { ArgsOf, DataOf, Module } from './module.ts';
import type { BuiltinModules } from './modules/index.ts';
import type { TaskResult } from './result.ts';
import type { Vars } from './vars.ts';

/**
 * Ansible's until: the task is done when this holds for its result, and tried again otherwise.
 * Typed by the module's data; a module that returns no data has nothing to test, so until is a
 * type error there.
 */
type UntilOption<R> = [R] extends [Record<string, never>] ? { until?: never } : { until?: (result: TaskResult<R>) => boolean };

export type TaskOptions<H extends string, R = Record<string, unknown>> = UntilOption<R> & {
  /** Handlers to notify when this task changes something. */
  notify?: H | readonly H[];
  /** Tags for --tags / --skip-tags selection, added to the role's own tags. */
  tags?: readonly string[];
  /** Run as root (or becomeUser) via sudo; defaults to the role's become, else the host's ansible_become. */
  become?: boolean;
  becomeUser?: string;
  /** A failure is reported but the host's role goes on. */
  ignoreErrors?: boolean;
  /**
   * Run the task on this inventory host instead (over its connection, through its jump host), for
   * the current host: reported as [current -> delegate]. The current host's variables are used.
   */
  delegateTo?: string;
  /** Run the task on the first host of the current batch only; every host of the batch gets its result. */
  runOnce?: boolean;
  /** Tries after the first when the task fails or until is false (Ansible's retries). Default 3 with until, else 0. */
  retries?: number;
  /** Seconds between tries (Ansible's delay). Default 5. */
  delayS?: number;
};

/**
 * A project's own modules, by the name a role calls them with (`{ iniFile }` gives `t.iniFile(...)`).
 * Registered with withModules (lib/module-set.ts), which refuses a name the task API already has.
 */
export type ModuleSet = { readonly [name: string]: Module<unknown, unknown> };

/** The built-in modules when a role registers none: no methods beyond them. */
export type NoModules = Record<never, never>;

// Each method is declared as one so its parameters compare both ways (as run()'s do): a role
// whose t has the project's modules and its own handler names still goes in a Play's roles.
// A call is checked against the parameters as written all the same.
type ModuleMethods<H extends string, M> = {
  [K in keyof M]: {
    task(name: string, args: ArgsOf<M[K]>, options?: TaskOptions<H, DataOf<M[K]>>): Promise<TaskResult<DataOf<M[K]>>>;
  }['task'];
};

/** What a role's run() sees of the host it configures. */
export interface HostView {
  readonly name: string;
  readonly groups: readonly string[];
}

/**
 * The task API a role and its handlers receive: one method per built-in module and per module the
 * project registered (M, see withModules), plus the escape hatches.
 */
export type TaskApi<H extends string = never, M extends ModuleSet = NoModules> = ModuleMethods<H, BuiltinModules & M> & {
  readonly host: HostView;
  /** True in check mode, for display only: modules plan, the runner decides; roles must not branch on it. */
  readonly check: boolean;
  /** Run any module, built-in or the project's own. */
  run<A, R>(name: string, module: Module<A, R>, args: A, options?: TaskOptions<H, R>): Promise<TaskResult<R>>;
  /** Run the handlers notified so far, now, instead of at the end of the role. */
  flush(): Promise<void>;
  /**
   * Another host's variables (Ansible's hostvars): its inventory variables, the role's defaults
   * and -e, with the facts set on it so far (setFact) over the inventory's. Reading a variable that
   * is neither set nor a fact fails the host, naming the fact (test with `in` to probe for one).
   */
  hostvars(host: string): Vars;
  /** Store a value on this host for the rest of the run (Ansible's set_fact); a Secret stays a Secret. */
  setFact(name: string, value: unknown): void;
  /**
   * Facts about this host (OS, architecture, kernel, memory, default IPv4), gathered once per run on
   * first use, in the same round trip as the probes of the tasks that follow it when it can be.
   */
  facts(): Promise<HostFacts>;
  /** Host names of a group or pattern, sorted as the inventory lists them. */
  hostsOf(pattern: string): string[];
  /** Fail this host with a message (stops its tasks; the other hosts go on). */
  fail(message: string): never;
};

// A method's parameter is compared both ways, so a role whose handlers use the project's modules
// still goes in a Play's list of roles (as the role's run() does).
export type Handler<M extends ModuleSet = NoModules> = { handle(t: TaskApi<never, M>): Promise<void> }['handle'];

/** Required variables have no default: the rest of the role's variables must have one. */
type DefaultsOf<V, R extends PropertyKey> = [R] extends [never] ? V : Omit<V, R>;

/**
 * A role. V is its variables (an interface or a type; inferred from defaults when not given), H its
 * handler names, R the variables it requires from the inventory or -e instead of a default:
 * `defineRole<K3sVars, 'restart k3s', 'k3s_lb_dns'>({ required: ['k3s_lb_dns'], defaults: {...} })`.
 */
export interface RoleDef<V extends object, H extends string, R extends keyof V & string = never, M extends ModuleSet = NoModules> {
  name: string;
  /** Host pattern the role applies to (group names, globs, a:b, a:&b, a:!b). */
  hosts: string;
  /** Lowest-precedence variables; inventory, facts and -e override them. */
  defaults: DefaultsOf<V, R>;
  /** Names of variables that must be set somewhere (inventory or -e); checked before any host is touched. */
  required?: readonly (R | (string & {}))[];
  /** Hosts per batch: a number, or a percentage like "30%". Default: all at once. */
  serial?: number | `${number}%`;
  tags?: readonly string[];
  /** Every task of the role runs through sudo (as becomeUser, default root) unless it says become: false. */
  become?: boolean;
  becomeUser?: string;
  /** One host failing stops every host, and the play, after the tasks in flight (Ansible's any_errors_fatal). */
  anyErrorsFatal?: boolean;
  /** Handlers, run once per host at the end of the role in definition order, when notified. */
  handlers?: Record<H, Handler<M>>;
  run(t: TaskApi<H, M>, vars: V & Vars): Promise<void>;
}

export interface Role<V extends object = object, H extends string = string, R extends keyof V & string = never, M extends ModuleSet = NoModules> extends RoleDef<V, H, R, M> {
  readonly kind: 'role';
  /** The project's modules its tasks call as t.<name>, registered through withModules. */
  readonly modules?: M;
}

export function defineRole<V extends object, H extends string = never, R extends keyof V & string = never>(def: RoleDef<V, H, R>): Role<V, H, R> {
  return { ...def, kind: 'role' };
}

export interface Play {
  name: string;
  roles: ReadonlyArray<Role>;
}

export function definePlay(play: Play): Play {
  return play;
}
