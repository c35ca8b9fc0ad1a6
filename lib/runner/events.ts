import type { TaskResult } from '../result.ts';

/** Per-host counters of the recap, as Ansible prints them. */
export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  /** Milliseconds this host spent in the run. */
  elapsedMs: number;
}

/** Which task of which role on which host (and for which host, when delegated) an event is about. */
export interface TaskRef {
  host: string;
  role: string;
  task: string;
  module: string;
  handler?: boolean;
  delegatedTo?: string;
}

/** Everything the runner tells its reporter. Reporters mask secrets in whatever they print. */
export type RunEvent =
  | { type: 'play-start'; play: string; hosts: string[]; check: boolean }
  | { type: 'role-start'; role: string; hosts: string[]; batch?: { index: number; count: number } }
  /** delegatedTo: the task runs on that host for `host` (Ansible's delegate_to), shown as [host -> delegatedTo]. */
  | ({ type: 'task-start' } & TaskRef)
  /** ignored: the task failed but had ignoreErrors, so the host went on (Ansible's "...ignoring"). */
  | ({ type: 'task-end'; result: TaskResult<Record<string, unknown>>; elapsedMs: number; ignored?: boolean } & TaskRef)
  /** A try of a task with retries/until that did not do: another follows after delayMs (Ansible's "FAILED - RETRYING"). */
  | { type: 'task-retry'; host: string; role: string; task: string; delegatedTo?: string; attempt: number; attempts: number; msg: string; delayMs: number }
  /**
   * A remote command, for -v (command, rc) and -vv (also stdout/stderr). batched: a probe answered
   * from a batch sent earlier (no round trip of its own); the batch itself is a command event too.
   */
  | { type: 'command'; host: string; delegatedTo?: string; command: string; code: number; stdout: string; stderr: string; elapsedMs: number; batched?: boolean }
  /** stack: only for unexpected errors (a bug in role or module code), to print at -vvv. */
  | { type: 'host-failed'; host: string; role: string; task?: string; message: string; stack?: string }
  | { type: 'host-unreachable'; host: string; message: string }
  | { type: 'warning'; message: string; host?: string }
  | { type: 'play-end'; play: string; stats: Record<string, HostStats>; elapsedMs: number; interrupted?: boolean };

export interface Reporter {
  emit(event: RunEvent): void;
  /** Called once at the very end (after play-end), to flush buffered output such as --json. */
  close(): void | Promise<void>;
}
