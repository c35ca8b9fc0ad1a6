import type { Connection, ExecOptions, ExecResult } from './connection/connection.ts';
import type { ArgsSchema } from './modules/support/schema.ts';
import type { Vars } from './vars.ts';

/** What a module sees of the host it runs on. */
export interface ModuleContext {
  readonly host: string;
  /** The host's variables, after precedence (defaults < groups < host < extra). */
  readonly vars: Vars;
  /** Run a command on the host, as root when the task becomes; echoed with -v, secrets masked. */
  exec(command: string, options?: Omit<ExecOptions, 'become'>): Promise<ExecResult>;
  /** The raw connection (for counting channels in tests; modules use exec). */
  readonly connection: Connection;
  /** Absolute project directory: templates/ and files/ are resolved against it. */
  readonly projectDir: string;
  /** Whether --diff was asked; a module may skip fetching old content when false. */
  readonly wantDiff: boolean;
}

export interface PrepareEnv {
  readonly host: string;
  readonly vars: Vars;
  readonly projectDir: string;
}

/** One difference between the host and the desired state, and how to remove it. */
export interface Change<R = Record<string, never>> {
  /** A short line for the recap: "mode 0644 -> 0600", "create /etc/x". */
  summary: string;
  diff?: string;
  /** False when check mode cannot know the outcome (a bare command): the task is skipped then. */
  predictable?: boolean;
  /**
   * With predictable: false, why the outcome cannot be known before it runs ("the cluster does not
   * answer: ..."): check mode reports "cannot predict: <reason>". apply() still runs in a real run.
   */
  reason?: string;
  /** Make the change. Never called in check mode. May return data and override "changed". */
  apply(): Promise<void | { changed?: boolean; data?: Partial<R> }>;
}

export interface Plan<R = Record<string, never>> {
  /** Empty means the host is already as desired: status ok. */
  changes: Change<R>[];
  /** Data known from the probe alone (e.g. a file's stat). */
  data?: Partial<R>;
  /** Set when the module decides not to act at all (e.g. a `creates` path exists is ok, not this). */
  skip?: string;
}

/**
 * A module: validate arguments on the controller, probe the host (one round trip where possible),
 * and plan only the changes needed. The runner, not the module, decides whether they are applied.
 */
export interface Module<A, R = Record<string, never>> {
  readonly name: string;
  /** The arguments declared once (lib/modules/support/schema.ts): their checks and their reference in docs/modules.md. */
  readonly schema?: ArgsSchema<A>;
  /** Check and normalise arguments before anything touches a host; throw ModuleArgsError. */
  validate(args: A): A;
  /**
   * Controller-side work that needs the host's variables (render a template, read a local file),
   * done before the host is touched; also run in the preflight pass before any host is contacted.
   * Throw InputError naming the file and variable.
   */
  prepare?(args: A, env: PrepareEnv): A | Promise<A>;
  plan(ctx: ModuleContext, args: A): Promise<Plan<R>>;
  /**
   * plan() only computes until its first exec, and that exec is a probe (`probe: true`). The runner
   * may then call plan() ahead of time with an exec that records the probe and goes no further,
   * to send the probes of the tasks to come in one round trip with the current one.
   */
  readonly batchProbes?: boolean;
}

export type ArgsOf<M> = M extends Module<infer A, infer _R> ? A : never;
export type DataOf<M> = M extends Module<infer _A, infer R> ? R : never;

export function defineModule<A, R = Record<string, never>>(module: Module<A, R>): Module<A, R> {
  return module;
}
