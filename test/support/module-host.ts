/**
 * One host as module tests use it: a connection that records what it sends, a ModuleContext built
 * as the runner builds it, a module run as a task (converge or check mode), and channel counting.
 * The same shape over the controller itself (`localModuleHost`), over any connection
 * (`moduleHostOn`), or over one test-bed host reached by SSH as `deploy` with sudo (`startModuleBed`).
 */
import type { Become, Connection } from '../../lib/connection/connection.ts';
import type { ConnectionSpec } from '../../lib/connection/spec.ts';
import { LocalConnection } from '../../lib/connection/local.ts';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import type { Module, ModuleContext } from '../../lib/module.ts';
import type { TaskResult } from '../../lib/result.ts';
import { executeTask } from '../../lib/task/execute.ts';
import type { Vars } from '../../lib/vars.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { bedSpec } from './bed-connection.ts';

export interface ModuleContextOptions {
  /** Host name for messages; defaults to the connection's. */
  host?: string;
  vars?: Vars;
  /** Where templates/ and files/ are; defaults to the current directory. */
  projectDir?: string;
  wantDiff?: boolean;
  /** true: as root; a Become: as that user. */
  become?: boolean | Become;
}

/** A ModuleContext over a real connection, as the runner would build it for one task on one host. */
export function moduleContext(connection: Connection, options: ModuleContextOptions = {}): ModuleContext {
  const become: Become | false = options.become === true ? { user: 'root' } : (options.become ?? false);
  return {
    host: options.host ?? connection.host,
    vars: options.vars ?? {},
    connection,
    projectDir: options.projectDir ?? process.cwd(),
    wantDiff: options.wantDiff ?? false,
    exec: (command, execOptions = {}) => connection.exec(command, { ...execOptions, become }),
  };
}

export type SentCommand = { command: string; stdin: string };
export type RecordingConnection = Connection & { readonly sent: SentCommand[] };

/** A connection that remembers every command line and stdin it was given (to check what a module sends). */
export function recordingConnection(inner: Connection): RecordingConnection {
  const sent: SentCommand[] = [];
  return {
    host: inner.host,
    sent,
    get channelsOpened() {
      return inner.channelsOpened;
    },
    exec(command, options = {}) {
      sent.push({ command, stdin: options.stdin === undefined ? '' : options.stdin.toString() });
      return inner.exec(command, options);
    },
    close: () => inner.close(),
  };
}

/** What a module run sees of its task and host; each field overrides the host's default. */
export interface HostDefaults {
  /** Run through sudo as root. */
  become?: boolean;
  vars?: Vars;
  projectDir?: string;
}

export interface RunOptions extends HostDefaults {
  /** Check mode: plan and report, apply nothing. */
  check?: boolean;
  /** --diff was asked. */
  diff?: boolean;
}

export interface ModuleHost {
  readonly connection: RecordingConnection;
  /** Every command line and stdin sent so far. */
  readonly sent: ReadonlyArray<SentCommand>;
  /** The ModuleContext a task on this host gets (for calling a module's parts directly). */
  context(options?: Omit<RunOptions, 'check'>): ModuleContext;
  /** Run one module call as a task would (validate, prepare, probe, plan, apply unless check). */
  run<A, R>(module: Module<A, R>, args: A, options?: RunOptions): Promise<TaskResult<R>>;
  /** Channels the connection opened while fn ran. */
  channels(fn: () => Promise<unknown>): Promise<number>;
}

/** A ModuleHost over any connection (its commands are recorded from now on). */
export function moduleHostOn(inner: Connection, defaults: HostDefaults = {}): ModuleHost {
  const connection = recordingConnection(inner);
  const context = (options: Omit<RunOptions, 'check'> = {}): ModuleContext => {
    const vars = options.vars ?? defaults.vars;
    const projectDir = options.projectDir ?? defaults.projectDir;
    return moduleContext(connection, {
      become: options.become ?? defaults.become ?? false,
      wantDiff: options.diff ?? false,
      ...(vars ? { vars } : {}),
      ...(projectDir ? { projectDir } : {}),
    });
  };
  return {
    connection,
    sent: connection.sent,
    context,
    run: (module, args, options = {}) => executeTask(context(options), module, args, { task: 'test task', check: options.check ?? false }),
    async channels(fn) {
      const before = connection.channelsOpened;
      await fn();
      return connection.channelsOpened - before;
    },
  };
}

/** The controller itself as the host (a LocalConnection, commands as the current user unless become). */
export function localModuleHost(defaults: HostDefaults = {}): ModuleHost {
  return moduleHostOn(new LocalConnection(), defaults);
}

/** One test-bed host: tasks run over SSH as `deploy` with sudo (unless become: false), state read back as root. */
export interface BedModuleHost extends ModuleHost {
  readonly bed: Testbed;
  readonly name: string;
  /** The controller's address on the host's bridge: where servers the test starts are reachable from the host. */
  readonly bridge: string;
  /** Run a shell command inside the host as root (outside SSH) and return its stdout; a non-zero exit throws. */
  sh(command: string): Promise<string>;
  /** A direct SSH spec for this host as `user` (another login than the module host's own). */
  spec(user: string, extra?: Partial<ConnectionSpec>): ConnectionSpec;
  /** Close the SSH connection and stop the bed. */
  stop(): Promise<void>;
}

export interface ModuleBedOptions extends Omit<HostDefaults, 'become'> {
  /** Give the host NAT access to Debian's mirrors. */
  nat?: boolean;
}

/** Start a bed of one host called `name` and connect to it as `deploy`; stop() undoes both. */
export async function startModuleBed(name: string, options: ModuleBedOptions = {}): Promise<BedModuleHost> {
  const { nat, ...defaults } = options;
  const bed = await startTestbed({ hosts: [{ name }], nat: nat ?? false });
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath });
  const stop = async () => {
    await pool.closeAll();
    await bed.stop();
  };
  try {
    const host = moduleHostOn(await pool.get(bedSpec(bed, name, 'deploy')), { become: true, ...defaults });
    return {
      ...host,
      bed,
      name,
      bridge: bed.host(name).ip.replace(/\.\d+$/, '.1'),
      async sh(command) {
        const result = await bed.sh(name, command);
        if (result.code !== 0) throw new Error(`bed.sh ${name} (rc=${result.code}): ${command}\n${result.stderr}`);
        return result.stdout;
      },
      spec: (user, extra) => bedSpec(bed, name, user, extra),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
