import type { TaskStatus } from '../result.ts';
import type { HostStats, Reporter, RunEvent } from '../runner/events.ts';
import { changesPending } from '../runner/stats.ts';
import { mask } from '../secret.ts';
import { orderHosts } from './recap.ts';
import type { OutputStream } from './terminal.ts';

export interface JsonHostResult {
  status: TaskStatus;
  changed: boolean;
  changes: string[];
  diff?: string;
  msg?: string;
  /** The task failed but had ignoreErrors: the host went on. */
  ignored?: boolean;
  /** The task ran on this inventory host for the host it is listed under (delegateTo). */
  delegatedTo?: string;
  /** Tries the task took, when it had retries or until. */
  attempts?: number;
  elapsedMs: number;
}

export interface JsonTask {
  name: string;
  module: string;
  handler: boolean;
  hosts: Record<string, JsonHostResult>;
}

export interface JsonRole {
  name: string;
  tasks: JsonTask[];
}

/** A host that stopped outside a task result: t.fail(), a lost connection, an unreachable host. */
export interface JsonFailure {
  host: string;
  kind: 'failed' | 'unreachable';
  role?: string;
  task?: string;
  message: string;
}

export interface JsonReport {
  play: string;
  check: boolean;
  elapsedMs: number;
  roles: JsonRole[];
  stats: Record<string, HostStats>;
  failures: JsonFailure[];
  warnings: { host?: string; message: string }[];
  interrupted: boolean;
  /** A check run that would change something (what --detailed-exitcode turns into exit 10); false outside check mode. */
  changesPending: boolean;
  /** The process's exit code, when the CLI printed this document (see setExitCode). */
  exitCode?: number;
}

export interface JsonReporterOptions {
  out: OutputStream;
  /** Warnings are also written here as they happen, for people watching a --json run. */
  err: OutputStream;
}

/**
 * --json: collects the run and prints one JSON document at close(), after play-end, and nothing
 * else on out. Keys come in a fixed order and hosts in the play's order, so runs compare cleanly.
 */
export class JsonReporter implements Reporter {
  readonly #out: OutputStream;
  readonly #err: OutputStream;
  #report: JsonReport = { play: '', check: false, elapsedMs: 0, roles: [], stats: {}, failures: [], warnings: [], interrupted: false, changesPending: false };
  #playHosts: string[] = [];
  /** Per role entry, host and task: how many results the host has had, to place repeats of a name. */
  readonly #seen = new WeakMap<JsonRole, Map<string, number>>();
  #ended = false;
  #closed = false;

  constructor(options: JsonReporterOptions) {
    this.#out = options.out;
    this.#err = options.err;
  }

  emit(event: RunEvent): void {
    switch (event.type) {
      case 'play-start':
        this.#report.play = event.play;
        this.#report.check = event.check;
        this.#playHosts = [...event.hosts];
        return;
      case 'role-start':
        if (this.#report.roles.at(-1)?.name !== event.role) this.#report.roles.push({ name: event.role, tasks: [] });
        return;
      case 'task-end':
        return this.#record(event);
      case 'host-failed':
        return this.#fail({ host: event.host, kind: 'failed', role: event.role, ...(event.task ? { task: event.task } : {}), message: event.message });
      case 'host-unreachable':
        return this.#fail({ host: event.host, kind: 'unreachable', message: event.message });
      case 'warning':
        this.#report.warnings.push({ ...(event.host ? { host: event.host } : {}), message: event.message });
        this.#err.write(`${mask(`[WARNING]: ${event.host ? `[${event.host}] ` : ''}${event.message}`)}\n`);
        return;
      case 'play-end':
        this.#report.elapsedMs = event.elapsedMs;
        this.#report.stats = Object.fromEntries(orderHosts(Object.keys(event.stats), this.#playHosts).map((h) => [h, statsOf(event.stats[h])]));
        this.#report.interrupted = event.interrupted ?? false;
        this.#report.changesPending = this.#report.check && changesPending(event.stats);
        this.#ended = true;
        return;
      case 'task-start':
      case 'task-retry':
      case 'command':
        return;
    }
  }

  /** The document as it stands (hosts of each task in play order). */
  document(): JsonReport {
    const roles = this.#report.roles.map((role) => ({
      name: role.name,
      tasks: role.tasks.map((task) => ({
        ...task,
        hosts: Object.fromEntries(orderHosts(Object.keys(task.hosts), this.#playHosts).map((h) => [h, task.hosts[h] as JsonHostResult])),
      })),
    }));
    return { ...this.#report, roles };
  }

  /** The exit code the process will end with, decided after play-end (it depends on flags such as --detailed-exitcode). */
  setExitCode(code: number): void {
    this.#report.exitCode = code;
  }

  /** Prints the document once, only if the play ended; a run that crashed prints nothing here. */
  close(): void {
    if (this.#closed || !this.#ended) return;
    this.#closed = true;
    const text = JSON.stringify(this.document(), (_key, value: unknown) => (typeof value === 'string' ? mask(value) : value), 2);
    this.#out.write(`${mask(text)}\n`);
  }

  #record(event: Extract<RunEvent, { type: 'task-end' }>): void {
    const role = this.#role(event.role);
    const handler = event.handler ?? false;
    const key = `${event.host}\0${handler}\0${event.module}\0${event.task}`;
    const seen = this.#seen.get(role) ?? new Map<string, number>();
    this.#seen.set(role, seen);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    const same = role.tasks.filter((t) => t.name === event.task && t.module === event.module && t.handler === handler);
    let task = same[occurrence];
    if (!task) {
      task = { name: event.task, module: event.module, handler, hosts: {} };
      role.tasks.push(task);
    }
    const { result } = event;
    task.hosts[event.host] = {
      status: result.status,
      changed: result.changed,
      changes: [...result.changes],
      ...(result.diff !== undefined ? { diff: result.diff } : {}),
      ...(result.msg !== undefined ? { msg: result.msg } : {}),
      ...(event.ignored ? { ignored: true } : {}),
      ...(event.delegatedTo !== undefined ? { delegatedTo: event.delegatedTo } : {}),
      ...(result.attempts !== undefined ? { attempts: result.attempts } : {}),
      elapsedMs: event.elapsedMs,
    };
  }

  #role(name: string): JsonRole {
    let role = [...this.#report.roles].reverse().find((r) => r.name === name);
    if (!role) {
      role = { name, tasks: [] };
      this.#report.roles.push(role);
    }
    return role;
  }

  #fail(failure: JsonFailure): void {
    this.#report.failures.push(failure);
  }
}

function statsOf(stats: HostStats | undefined): HostStats {
  const s = stats ?? { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, elapsedMs: 0 };
  return { ok: s.ok, changed: s.changed, unreachable: s.unreachable, failed: s.failed, skipped: s.skipped, elapsedMs: s.elapsedMs };
}
