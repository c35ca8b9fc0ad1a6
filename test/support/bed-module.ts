import type { Connection } from '../../lib/connection/connection.ts';
import type { ConnectionPool } from '../../lib/connection/pool.ts';
import type { Module } from '../../lib/module.ts';
import type { TaskResult } from '../../lib/result.ts';
import { executeTask } from '../../lib/task/execute.ts';
import type { Vars } from '../../lib/vars.ts';
import { bedSpec } from '../integration/connection-bed.ts';
import type { Testbed } from '../testbed/bed.ts';
import { moduleContext, recordingConnection } from './module-context.ts';

export interface RunOptions {
  check?: boolean;
  diff?: boolean;
  vars?: Vars;
  projectDir?: string;
}

/** A test-bed host as module tests use it: tasks run over SSH as `deploy` with sudo, state read back as root. */
export interface ModuleHost {
  readonly connection: Connection;
  /** Every command line and stdin sent over SSH so far. */
  readonly sent: ReadonlyArray<{ command: string; stdin: string }>;
  /** Run one module call as a task would (validate, probe, plan, apply unless check). */
  run<A, R>(module: Module<A, R>, args: A, options?: RunOptions): Promise<TaskResult<R>>;
  /** Run a shell command inside the host as root (outside SSH) and return its stdout; a non-zero exit throws. */
  sh(command: string): Promise<string>;
  /** Channels the SSH connection opened while fn ran. */
  channels(fn: () => Promise<unknown>): Promise<number>;
}

export async function moduleHost(bed: Testbed, pool: ConnectionPool, name: string): Promise<ModuleHost> {
  const connection = recordingConnection(await pool.get(bedSpec(bed, name, 'deploy')));
  return {
    connection,
    sent: connection.sent,
    run: (module, args, options = {}) =>
      executeTask(
        moduleContext(connection, { become: true, wantDiff: options.diff ?? false, ...(options.vars ? { vars: options.vars } : {}), ...(options.projectDir ? { projectDir: options.projectDir } : {}) }),
        module,
        args,
        { task: 'test task', check: options.check ?? false },
      ),
    async sh(command) {
      const result = await bed.sh(name, command);
      if (result.code !== 0) throw new Error(`bed.sh ${name} (rc=${result.code}): ${command}\n${result.stderr}`);
      return result.stdout;
    },
    async channels(fn) {
      const before = connection.channelsOpened;
      await fn();
      return connection.channelsOpened - before;
    },
  };
}
