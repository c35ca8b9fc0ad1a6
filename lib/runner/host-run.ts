import type { Connection, ExecOptions, ExecResult } from '../connection/connection.ts';
import type { ConnectionSpec } from '../connection/spec.ts';
import { CommandError, PloyError, UnreachableError } from '../errors.ts';
import type { Module, ModuleContext } from '../module.ts';
import type { TaskResult } from '../result.ts';
import type { Handler, Role, TaskApi, TaskOptions } from '../role.ts';
import { mask } from '../secret.ts';
import { executeTask } from '../task/execute.ts';
import type { Vars } from '../vars.ts';
import { HostStopped, type StopReason } from './host-stopped.ts';
import type { PredictedTask } from './predicted-task.ts';
import { probeBatchScript } from './probe-batch-script.ts';
import { isBatchableProbe, ProbeBatcher } from './probe-batcher.ts';
import type { RunState } from './run-state.ts';
import { isSelectedByTags, taskTags } from './tags.ts';
import { buildTaskApi } from './task-api.ts';

/** One host running one role: its task API, its notified handlers, and how it stopped. */
export class HostRun {
  stopped?: StopReason;
  readonly vars: Vars;
  readonly #notified = new Set<string>();
  readonly #probes: ProbeBatcher;
  #spec?: ConnectionSpec;

  constructor(
    readonly state: RunState,
    readonly role: Role,
    readonly host: string,
  ) {
    this.vars = state.vars(role, host);
    this.#probes = new ProbeBatcher(state.predictions.of(role, host));
  }

  /** The `t` the role's run() receives. */
  api(): TaskApi<string> {
    return this.#buildApi(false);
  }

  /** Run the role, then its notified handlers. Never rejects: every outcome is recorded. */
  async run(): Promise<void> {
    try {
      await this.role.run(this.api(), this.vars);
      if (!this.stopped) await this.flush();
    } catch (error) {
      this.#crashed(error);
    }
  }

  /** Run the handlers notified so far, in the order the role defines them, each once. */
  async flush(): Promise<void> {
    const handlers: Record<string, Handler> = this.role.handlers ?? {};
    for (const [name, handler] of Object.entries(handlers)) {
      if (this.stopped) throw new HostStopped(this.host, this.stopped);
      if (!this.#notified.delete(name)) continue;
      await handler(this.#buildApi(true) as TaskApi<never>);
    }
  }

  fail(message: string): never {
    if (!this.stopped) this.#recordFailure(mask(message));
    throw new HostStopped(this.host, this.stopped ?? 'failed');
  }

  async call<A, R>(name: string, module: Module<A, R>, args: A, options: TaskOptions<string> = {}, handler: boolean): Promise<TaskResult<R>> {
    if (this.stopped) throw new HostStopped(this.host, this.stopped);
    // Handlers run when notified, whatever the tags (as in Ansible).
    if (!handler && !isSelectedByTags(taskTags(this.role.tags, options.tags), this.state.options)) {
      return { status: 'skipped', changed: false, changes: [], msg: 'not selected by tags', data: {} };
    }
    if (!handler && this.state.options.startAt?.reached(this.host, this.role.name, name) === false) return { status: 'skipped', changed: false, changes: [], msg: 'before --start-at-task', data: {} };
    if (this.state.interrupted()) this.#stop('interrupted');
    const base = { host: this.host, role: this.role.name, task: name, module: module.name, ...(handler ? { handler: true } : {}) };
    this.state.emit({ type: 'task-start', ...base });
    const started = performance.now();
    if (!handler) this.#probes.reached(name, module as Module<unknown, unknown>);
    let result: TaskResult<R>;
    try {
      const context = await this.#moduleContext(options);
      result = await executeTask(context, module, args, { task: name, check: this.state.options.check });
    } catch (error) {
      return this.#taskFailed(error, base, started, options.ignoreErrors === true);
    }
    this.state.emit({ type: 'task-end', ...base, result: result as TaskResult<Record<string, unknown>>, elapsedMs: performance.now() - started });
    this.state.stats.task(this.host, result);
    if (result.changed && !handler && options.notify !== undefined) {
      for (const notified of typeof options.notify === 'string' ? [options.notify] : options.notify) this.#notified.add(notified);
    }
    return result;
  }

  #buildApi(handler: boolean): TaskApi<string> {
    const { state } = this;
    return buildTaskApi<string>({
      host: state.hostView(this.host),
      check: state.options.check,
      call: (name, module, args, options) => this.call(name, module, args, options, handler),
      flush: () => (handler ? Promise.resolve() : this.flush()),
      hostvars: (other) => state.vars(this.role, other),
      hostsOf: (pattern) => state.inventory.select(pattern),
      fail: (message) => this.fail(message),
    });
  }

  async #moduleContext(options: TaskOptions<string>): Promise<ModuleContext> {
    const { state, host } = this;
    const spec = this.#connectionSpec();
    const connection: Connection = await state.connection(host, spec);
    const become = this.#become(options);
    const context: ModuleContext = {
      host,
      vars: this.vars,
      connection,
      projectDir: state.options.projectDir,
      wantDiff: state.options.diff,
      exec: async (command: string, execOptions: Omit<ExecOptions, 'become'> = {}): Promise<ExecResult> => {
        if (state.options.batchProbes === false || !isBatchableProbe(execOptions)) {
          this.#probes.invalidate();
          return this.#exec(connection, command, { ...execOptions, become });
        }
        return this.#probe(context, command, execOptions, become);
      },
    };
    return context;
  }

  /** A probe: answered from an earlier batch, or sent with the probes of the tasks predicted next. */
  async #probe(context: ModuleContext, command: string, execOptions: Omit<ExecOptions, 'become'>, become: ExecOptions['become']): Promise<ExecResult> {
    const key = becomeKey(become);
    const answer = this.#probes.take(command, key);
    if (answer) {
      this.#emitCommand(command, answer, 0, execOptions.secretOutput === true, true);
      return answer;
    }
    const others = await this.#probes.upcoming(command, key, context, (task) => becomeKey(this.#become(task)));
    if (others.length === 0) return this.#exec(context.connection, command, { ...execOptions, become });
    const commands = [command, ...others];
    const batch = probeBatchScript(commands);
    const started = performance.now();
    const result = await context.connection.exec(batch.script, { become, ...(execOptions.timeoutMs !== undefined ? { timeoutMs: execOptions.timeoutMs } : {}) });
    const elapsedMs = performance.now() - started;
    const answers = batch.split(result);
    this.#emitCommand(`# ${commands.length} probes in one round trip${answers ? '' : ' (incomplete output: sending this one alone)'}`, { ...result, stdout: '', stderr: answers ? '' : result.stderr }, elapsedMs, false, false);
    if (!answers) return this.#exec(context.connection, command, { ...execOptions, become });
    this.#probes.store(others, answers.slice(1), key);
    const own = answers[0] as ExecResult;
    this.#emitCommand(command, own, 0, false, true);
    return own;
  }

  async #exec(connection: Connection, command: string, options: ExecOptions): Promise<ExecResult> {
    const started = performance.now();
    const result = await connection.exec(command, options);
    this.#emitCommand(command, result, performance.now() - started, options.secretOutput === true, false);
    return result;
  }

  #emitCommand(command: string, result: ExecResult, elapsedMs: number, secretOutput: boolean, batched: boolean): void {
    const stdout = secretOutput ? '(secret output hidden)' : mask(result.stdout);
    this.state.emit({ type: 'command', host: this.host, command: mask(command), code: result.code, stdout, stderr: mask(result.stderr), elapsedMs, ...(batched ? { batched } : {}) });
  }

  #connectionSpec(): ConnectionSpec {
    this.#spec ??= this.state.specFor(this.state.inventory, this.host, this.vars);
    return this.#spec;
  }

  /** sudo for a task: its own become/becomeUser, else the host's. */
  #become(options: Pick<TaskOptions<string>, 'become' | 'becomeUser'> | PredictedTask): ExecOptions['become'] {
    const spec = this.#connectionSpec();
    return (options.become ?? spec.become) ? { user: options.becomeUser ?? spec.becomeUser, ...(spec.becomePassword ? { password: spec.becomePassword } : {}) } : false;
  }

  #taskFailed<R>(error: unknown, base: { host: string; role: string; task: string; module: string; handler?: boolean }, started: number, ignoreErrors: boolean): TaskResult<R> {
    if (error instanceof HostStopped) throw error;
    const message = mask(error instanceof Error ? error.message : String(error));
    const data = (error instanceof CommandError ? { rc: error.result.code, stdout: error.result.stdout, stderr: error.result.stderr } : {}) as Partial<R>;
    const result: TaskResult<R> = { status: 'failed', changed: false, changes: [], msg: message, data };
    const unreachable = error instanceof UnreachableError;
    const ignored = ignoreErrors && !unreachable;
    this.state.emit({
      type: 'task-end',
      ...base,
      result: result as TaskResult<Record<string, unknown>>,
      elapsedMs: performance.now() - started,
      ...(ignored ? { ignored: true } : {}),
    });
    if (unreachable) {
      this.stopped = 'unreachable';
      this.state.unreachable.add(this.host);
      this.state.stats.unreachable(this.host);
      this.state.emit({ type: 'host-unreachable', host: this.host, message });
      throw new HostStopped(this.host, 'unreachable');
    }
    this.state.stats.task(this.host, result, ignored);
    if (ignored) return result;
    this.stopped = 'failed';
    this.state.failed.add(this.host);
    this.state.emit({ type: 'host-failed', host: this.host, role: this.role.name, task: base.task, message, ...stackOf(error) });
    throw new HostStopped(this.host, 'failed');
  }

  /** An error thrown by role or handler code itself, outside any task call. */
  #crashed(error: unknown): void {
    if (error instanceof HostStopped || this.stopped) return;
    const message = mask(error instanceof Error ? error.message : String(error));
    if (error instanceof UnreachableError) {
      this.stopped = 'unreachable';
      this.state.unreachable.add(this.host);
      this.state.stats.unreachable(this.host);
      this.state.emit({ type: 'host-unreachable', host: this.host, message });
      return;
    }
    this.#recordFailure(message, stackOf(error));
  }

  #recordFailure(message: string, extra: { stack?: string } = {}): void {
    this.stopped = 'failed';
    this.state.failed.add(this.host);
    this.state.stats.failed(this.host);
    this.state.emit({ type: 'host-failed', host: this.host, role: this.role.name, message, ...extra });
  }

  #stop(reason: StopReason): never {
    this.stopped = reason;
    throw new HostStopped(this.host, reason);
  }
}

/** The stack of an unexpected error (a bug in role or module code), for -vvv; ploy's own errors need none. */
function stackOf(error: unknown): { stack?: string } {
  return error instanceof Error && !(error instanceof PloyError) && error.stack ? { stack: mask(error.stack) } : {};
}

/** Which sudo a command runs under, for matching batched answers (never the password). */
function becomeKey(become: ExecOptions['become']): string {
  return become ? `sudo:${become.user}` : 'login';
}
