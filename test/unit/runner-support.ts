/**
 * Shared by the runner's unit tests: an inventory of local hosts (commands really run on this
 * machine), a pool that hands out LocalConnections and counts calls, a reporter that records
 * events, and small real modules that write files in a temp dir.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Connection } from '../../lib/connection/connection.ts';
import { LocalConnection } from '../../lib/connection/local.ts';
import type { ConnectionSpec } from '../../lib/connection/spec.ts';
import { CommandError, ModuleArgsError } from '../../lib/errors.ts';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';
import type { Inventory } from '../../lib/inventory/types.ts';
import { defineModule } from '../../lib/module.ts';
import type { Reporter, RunEvent } from '../../lib/runner/events.ts';
import type { RunOptions } from '../../lib/runner/options.ts';
import { sh } from '../../lib/shell.ts';
import type { Vars } from '../../lib/vars.ts';

/**
 * Hosts (in order) with their vars, and groups of them, as an Ansible YAML inventory read by the
 * real loader: host patterns, groups (`ungrouped` included) and vars precedence are the real ones.
 */
export function localInventory(hosts: Record<string, Vars>, groups: Record<string, string[]> = {}): Inventory {
  const children = Object.fromEntries(Object.entries(groups).map(([group, members]) => [group, { hosts: Object.fromEntries(members.map((host) => [host, null])) }]));
  const all = { vars: { ansible_connection: 'local' }, hosts, ...(Object.keys(children).length ? { children } : {}) };
  return inventoryFromYaml(stringify({ all }), 'test-inventory');
}

export function localSpec(_inventory: Inventory, host: string): ConnectionSpec {
  return { name: host, kind: 'local', endpoint: { address: '127.0.0.1', port: 22, user: 'root' }, become: false, becomeUser: 'root' };
}

/** A pool of LocalConnections that counts get() per host and closeAll() calls. */
export class CountingPool {
  readonly gets = new Map<string, number>();
  readonly connections = new Map<string, LocalConnection>();
  closed = 0;
  /** Hosts whose get() fails, with the error to throw. */
  readonly failing = new Map<string, Error>();

  async get(spec: ConnectionSpec): Promise<Connection> {
    this.gets.set(spec.name, (this.gets.get(spec.name) ?? 0) + 1);
    const failure = this.failing.get(spec.name);
    if (failure) throw failure;
    let connection = this.connections.get(spec.name);
    if (!connection) {
      connection = new LocalConnection(spec.name);
      this.connections.set(spec.name, connection);
    }
    return connection;
  }

  async closeAll(): Promise<void> {
    this.closed++;
  }

  channels(): number {
    return [...this.connections.values()].reduce((sum, c) => sum + c.channelsOpened, 0);
  }
}

export class RecordingReporter implements Reporter {
  readonly events: RunEvent[] = [];
  emit(event: RunEvent): void {
    this.events.push(event);
  }
  close(): void {}
  of<T extends RunEvent['type']>(type: T): Array<Extract<RunEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  }
  /** "host task status" for every task-end, in order. */
  results(): string[] {
    return this.of('task-end').map((e) => `${e.host} ${e.task} ${e.result.status}`);
  }
}

/** The error a promise rejects with; throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ploy-runner-'));
}

export function runOptions(inventory: Inventory, pool: CountingPool, extra: Partial<RunOptions> = {}): RunOptions {
  return { inventory, check: false, diff: false, forks: 10, extraVars: {}, projectDir: tempDir(), connections: pool, specFor: localSpec, ...extra };
}

/** Makes `path` hold `content`: one probe, one write when it differs. A diff line for check/diff. */
export const lineFile = defineModule<{ path: string; content: string }, { before: string }>({
  name: 'line_file',
  validate(args) {
    if (typeof args.path !== 'string' || !args.path.startsWith('/')) throw new ModuleArgsError('path must be an absolute path', { field: 'path' });
    if (typeof args.content !== 'string') throw new ModuleArgsError('content must be a string', { field: 'content' });
    return args;
  },
  async plan(ctx, args) {
    const probe = await ctx.exec(sh`cat ${args.path} 2>/dev/null || true`);
    if (probe.stdout === args.content) return { changes: [], data: { before: probe.stdout } };
    return {
      data: { before: probe.stdout },
      changes: [
        {
          summary: `write ${args.path}`,
          diff: `-${probe.stdout}\n+${args.content}`,
          async apply() {
            const r = await ctx.exec(sh`cat > ${args.path}`, { stdin: args.content });
            if (r.code !== 0) throw new Error(r.stderr);
          },
        },
      ],
    };
  },
});

/** Appends a line to a log file on every call (always "changed"): shows what ran, in which order. */
export const appendLine = defineModule<{ path: string; line: string }>({
  name: 'append_line',
  validate: (args) => args,
  async plan(ctx, args) {
    return { changes: [{ summary: `append ${args.line}`, apply: async () => void (await ctx.exec(sh`echo ${args.line} >> ${args.path}`)) }] };
  },
});

/** Runs a shell command that must succeed; a probe (never a change). */
export const runCommand = defineModule<{ cmd: string }, { stdout: string }>({
  name: 'run_command',
  validate(args) {
    if (typeof args.cmd !== 'string' || args.cmd === '') throw new ModuleArgsError('cmd must be a non-empty string', { field: 'cmd' });
    return args;
  },
  async plan(ctx, args) {
    const r = await ctx.exec(args.cmd);
    if (r.code !== 0) throw new CommandError(args.cmd, r);
    return { changes: [], data: { stdout: r.stdout } };
  },
});

/**
 * A module that appends `entry` to `log` when it really runs (never in the preflight pass, which
 * runs role code too): tests record what the role saw with it.
 */
export function recorder(log: string[]) {
  return defineModule<{ entry: string }>({
    name: 'record',
    validate: (args) => args,
    async plan(_ctx, args) {
      log.push(args.entry);
      return { changes: [] };
    },
  });
}
