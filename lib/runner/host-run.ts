import type { Connection, ExecOptions, ExecResult } from '../connection/connection.ts';
import type { ConnectionSpec } from '../connection/spec.ts';
import { CommandError, PloyError, UnreachableError } from '../errors.ts';
import { gatherFacts } from '../facts/gather-facts.ts';
import type { HostFacts } from '../facts/host-facts.ts';
import type { Module, ModuleContext } from '../module.ts';
import type { TaskResult } from '../result.ts';
import type { Handler, Role, TaskApi, TaskOptions } from '../role.ts';
import { mask } from '../secret.ts';
import { executeTask } from '../task/execute.ts';
import type { Vars } from '../vars.ts';
import type { TaskRef } from './events.ts';
import { HostStopped, type StopReason } from './host-stopped.ts';
import { hostvarsView, unsetHostVar } from './hostvars-view.ts';
import type { PredictedTask } from './predicted-task.ts';
import { probeBatchScript } from './probe-batch-script.ts';
import { batchedProbe, isBatchableProbe, ProbeBatcher } from './probe-batcher.ts';
import { tryUntilDone, type Tried } from './retry-loop.ts';
import { RunOnce, type OnceOutcome } from './run-once.ts';
import type { RunState } from './run-state.ts';
import { isSelectedByTags, taskTags } from './tags.ts';
import { buildTaskApi } from './task-api.ts';
import { TaskLane, TaskLeftRunningError } from './task-lane.ts';
import { checkTaskOptions } from './task-options.ts';

type Options<R> = TaskOptions<string, R>;
/** A task run to its end (every try), not yet reported. */
interface Performed<R> extends Tried<R> {
  base: TaskRef;
  started: number;
}

/** One host running one role: its task API, its notified handlers, and how it stopped. */
export class HostRun {
  stopped?: StopReason;
  /** The role's variables on this host: read again when the run starts (an earlier role may have set facts since). */
  vars: Vars;
  readonly #notified = new Set<string>();
  readonly #probes: ProbeBatcher;
  /** How many runOnce tasks of each name this host has reached: the key that pairs them across hosts. */
  readonly #onceSeen = new Map<string, number>();
  readonly #specs = new Map<string, ConnectionSpec>();
  readonly #lane: TaskLane;
  /** A prefetch's round trips, reported when the host's own run first sends or asks for a command. */
  #prefetched: Prefetched[] = [];

  constructor(
    readonly state: RunState,
    readonly role: Role,
    readonly host: string,
    /** runOnce for the serial batch this host runs in. */
    readonly once: RunOnce = new RunOnce([host]),
  ) {
    this.vars = state.vars(role, host);
    this.#probes = new ProbeBatcher(state.predictions.of(role, host));
    this.#lane = new TaskLane(host);
  }

  /** The `t` the role's run() receives. */
  api(): TaskApi<string> {
    return this.#buildApi(false);
  }

  /** Run the role, then its notified handlers. Never rejects: every outcome is recorded. */
  async run(): Promise<void> {
    this.vars = this.state.vars(this.role, this.host);
    try {
      await this.role.run(this.api(), this.vars);
      await this.#noTaskLeftRunning(`role ${this.role.name}'s run()`);
      if (!this.stopped) await this.flush();
    } catch (error) {
      // Nothing of this host runs on after its end is reported: a task racing the one that failed ends first.
      await this.#lane.leftRunning();
      this.#crashed(error);
    } finally {
      this.#reportPrefetch();
      this.once.hostDone(this.host);
    }
  }

  /**
   * Before this host's serial batch or role starts (while the one before it runs): connect, and send the
   * probes of every task the preflight pass predicts here, one round trip per become user. The
   * answers are used only if no command that may change a host started or ended anywhere in the
   * run since the prefetch began (RunState.changeMark); otherwise they are dropped and the tasks
   * probe again. Never rejects: a host that cannot be reached fails in its own run, as it would have.
   */
  async prefetch(during: PrefetchedDuring): Promise<void> {
    if (this.state.predictions.of(this.role, this.host).length === 0) return;
    const since = this.state.changeMark();
    try {
      const spec = this.#connectionSpec(this.host);
      const connection = await this.state.connection(this.host, spec);
      const refuse = (): Promise<never> => Promise.reject(new PloyError('a prefetch only learns probes'));
      const context: ModuleContext = { host: this.host, vars: this.vars, connection, projectDir: this.state.options.projectDir, wantDiff: this.state.options.diff, exec: refuse };
      const byBecome = new Map<string, ExecOptions['become']>();
      const groups = await this.#probes.all(context, (task) => {
        const become = this.#become(task, spec);
        const key = becomeKey(become);
        byBecome.set(key, become);
        return key;
      });
      await Promise.all(
        [...groups].map(async ([key, commands]) => {
          if (commands.length === 0) return;
          const batch = probeBatchScript(commands);
          const started = performance.now();
          const result = await this.state.speculate(connection.exec(batch.script, { become: byBecome.get(key) ?? false }));
          const answers = batch.split(result);
          this.#prefetched.push({ since, during, commands: commands.length, result, elapsedMs: performance.now() - started, complete: answers !== undefined });
          if (answers) this.#probes.store(commands, answers, key);
        }),
      );
    } catch {
      // Nothing learned: the host's own run connects and probes as if no prefetch had been tried.
      this.#probes.drop();
    }
  }

  /** Run the handlers notified so far, in the order the role defines them, each once. */
  async flush(): Promise<void> {
    const handlers: Record<string, Handler> = this.role.handlers ?? {};
    for (const [name, handler] of Object.entries(handlers)) {
      if (this.stopped) throw new HostStopped(this.host, this.stopped);
      if (!this.#notified.delete(name)) continue;
      await handler(this.#buildApi(true) as TaskApi<never>);
      await this.#noTaskLeftRunning(`handler ${name}`);
    }
  }

  /** A task still running when role or handler code returned was called without await: the host fails once it ended. */
  async #noTaskLeftRunning(code: string): Promise<void> {
    const running = await this.#lane.leftRunning();
    if (running !== undefined && !this.stopped) throw new TaskLeftRunningError(this.host, running, code);
  }

  fail(message: string): never {
    if (!this.stopped) this.#recordFailure(mask(message));
    throw new HostStopped(this.host, this.stopped ?? 'failed');
  }

  async call<A, R>(name: string, module: Module<A, R>, args: A, options: Options<R> = {}, handler: boolean, always = false): Promise<TaskResult<R>> {
    if (this.stopped) throw new HostStopped(this.host, this.stopped);
    if (this.state.aborted) this.#stop('aborted');
    // Handlers run when notified, whatever the tags (as in Ansible); so does fact gathering.
    if (!handler && !always && !isSelectedByTags(taskTags(this.role.tags, options.tags), this.state.options)) {
      return { status: 'skipped', changed: false, changes: [], msg: 'not selected by tags', data: {} };
    }
    if (!handler && !always && this.state.options.startAt?.reached(this.host, this.role.name, name) === false)
      return { status: 'skipped', changed: false, changes: [], msg: 'before --start-at-task', data: {} };
    if (this.state.interrupted()) this.#stop('interrupted');
    if (!options.runOnce) return this.#settle(await this.#perform(name, module, args, options, handler), options, handler);

    const seen = this.#onceSeen.get(name) ?? 0;
    this.#onceSeen.set(name, seen + 1);
    let mine: Performed<R> | undefined;
    const outcome = await this.once.call(this.host, `${name}\u0000${seen}`, async (): Promise<OnceOutcome> => {
      try {
        mine = await this.#perform(name, module, args, options, handler);
        return { ran: this.host, result: mine.result as TaskResult<unknown> };
      } catch (error) {
        return { ran: this.host, stopped: error };
      }
    });
    if (mine) return this.#settle(mine, options, handler);
    return this.#adopt(outcome, name, options, handler);
  }

  /** The task's start, every try, and its result or error; reporting the end is #settle's. */
  async #perform<A, R>(name: string, module: Module<A, R>, args: A, options: Options<R>, handler: boolean): Promise<Performed<R>> {
    if (this.state.aborted) this.#stop('aborted');
    const target = options.delegateTo ?? this.host;
    const delegated = target !== this.host;
    const base: TaskRef = { host: this.host, role: this.role.name, task: name, module: module.name, ...(handler ? { handler: true } : {}), ...(delegated ? { delegatedTo: target } : {}) };
    this.state.emit({ type: 'task-start', ...base });
    const started = performance.now();
    if (!handler && !delegated) this.#probes.reached(name, module as Module<unknown, unknown>);
    const tryOnce = async (): Promise<Tried<R>> => {
      try {
        checkTaskOptions(options as Options<unknown>, this.state.inventory, { host: this.host, task: name });
        const context = await this.#moduleContext(options, target);
        return { result: await executeTask(context, module, args, { task: name, check: this.state.options.check }) };
      } catch (error) {
        if (error instanceof HostStopped) throw error;
        return { error, result: failedResult<R>(error) };
      }
    };
    const onRetry = (attempt: number, attempts: number, msg: string, delayMs: number): void => {
      this.state.emit({ type: 'task-retry', host: this.host, role: this.role.name, task: name, ...(delegated ? { delegatedTo: target } : {}), attempt, attempts, msg: mask(msg), delayMs });
    };
    const tried = await tryUntilDone(options, tryOnce, onRetry, this.state.options.signal);
    return { ...tried, base, started };
  }

  /** Report a performed task: its end, the counters, the handlers it notifies; a failure stops the host. */
  #settle<R>(performed: Performed<R>, options: Options<R>, handler: boolean): TaskResult<R> {
    const { base, started, error, result } = performed;
    if (error !== undefined) return this.#taskFailed(error, base, started, options.ignoreErrors === true, result);
    this.state.emit({ type: 'task-end', ...base, result: result as TaskResult<Record<string, unknown>>, elapsedMs: performance.now() - started });
    this.state.stats.task(this.host, result);
    this.#notify(result, options, handler);
    return result;
  }

  /** The result of a runOnce task that another host of the batch ran: this host's too. */
  #adopt<R>(outcome: OnceOutcome, name: string, options: Options<R>, handler: boolean): TaskResult<R> {
    if (this.state.aborted) this.#stop('aborted');
    if (this.state.interrupted()) this.#stop('interrupted');
    if ('stopped' in outcome) return this.fail(`task "${name}" runs once, on ${outcome.ran}, which stopped before it finished`);
    const result = outcome.result as TaskResult<R>;
    if (result.status === 'failed' && options.ignoreErrors !== true) return this.fail(`task "${name}" ran once, on ${outcome.ran}, and failed: ${result.msg ?? ''}`);
    this.#notify(result, options, handler);
    return result;
  }

  #notify<R>(result: TaskResult<R>, options: Options<R>, handler: boolean): void {
    if (!result.changed || handler || options.notify === undefined) return;
    for (const notified of typeof options.notify === 'string' ? [options.notify] : options.notify) this.#notified.add(notified);
  }

  #buildApi(handler: boolean): TaskApi<string> {
    const { state } = this;
    return buildTaskApi<string>(
      {
        host: state.hostView(this.host),
        check: state.options.check,
        call: (name, module, args, options) => this.call(name, module, args, options, handler),
        flush: () => (handler ? Promise.resolve() : this.flush()),
        hostvars: (other) => hostvarsView(state.vars(this.role, other), (name) => unsetHostVar(other, name, { role: this.role.name, host: this.host })),
        setFact: (name, value) => state.facts.set(this.host, name, value, { role: this.role.name }),
        facts: () => this.#facts(),
        hostsOf: (pattern) => state.inventory.select(pattern),
        fail: (message) => this.fail(message),
        lane: this.#lane,
      },
      this.role.modules,
    );
  }

  /** Facts are gathered once per host per run, whichever role asks first; tags never skip it. */
  #facts(): Promise<HostFacts> {
    let gathered = this.state.gathered.get(this.host);
    if (!gathered) {
      gathered = this.call('gather facts', gatherFacts, {}, {}, false, true).then((result) => result.data as HostFacts);
      this.state.gathered.set(this.host, gathered);
    }
    return gathered;
  }

  async #moduleContext<R>(options: Options<R>, target: string): Promise<ModuleContext> {
    const { state } = this;
    const delegated = target !== this.host;
    const spec = this.#connectionSpec(target);
    const connection: Connection = await state.connection(target, spec);
    const become = this.#become(options, spec);
    const context: ModuleContext = {
      host: target,
      vars: this.vars,
      connection,
      projectDir: state.options.projectDir,
      wantDiff: state.options.diff,
      exec: async (command: string, execOptions: Omit<ExecOptions, 'become'> = {}): Promise<ExecResult> => {
        this.#reportPrefetch();
        const send = (): Promise<ExecResult> => this.#exec(connection, command, { ...execOptions, become }, delegated ? target : undefined);
        // Another host's commands neither use nor spoil this host's batched probe answers.
        if (delegated) return execOptions.probe === true ? send() : state.changing(send);
        if (state.options.batchProbes === false || !isBatchableProbe(execOptions)) {
          // A probe that cannot go batched (a secret read, one with stdin) still changes nothing.
          if (execOptions.probe === true) return send();
          this.#probes.invalidate();
          return state.changing(send);
        }
        return this.#probe(context, command, execOptions, become);
      },
    };
    return context;
  }

  /** A probe: answered from an earlier batch, or sent with the probes of the tasks predicted next. */
  async #probe(context: ModuleContext, command: string, execOptions: Omit<ExecOptions, 'become'>, become: ExecOptions['become']): Promise<ExecResult> {
    const key = becomeKey(become);
    // Its stdin (not a secret) inside the batch; the output shows the command alone.
    const batched = batchedProbe(command, execOptions);
    const answer = this.#probes.take(batched, key);
    if (answer) {
      this.#emitCommand(command, answer, 0, execOptions.secretOutput === true, true);
      return answer;
    }
    const spec = this.#connectionSpec(this.host);
    const others = await this.#probes.upcoming(batched, key, context, (task) => becomeKey(this.#become(task, spec)));
    if (others.length === 0) return this.#exec(context.connection, command, { ...execOptions, become });
    const commands = [batched, ...others];
    const batch = probeBatchScript(commands);
    const started = performance.now();
    const result = await context.connection.exec(batch.script, { become, ...(execOptions.timeoutMs !== undefined ? { timeoutMs: execOptions.timeoutMs } : {}) });
    const elapsedMs = performance.now() - started;
    const answers = batch.split(result);
    this.#emitCommand(
      `# ${commands.length} probes in one round trip${answers ? '' : ' (incomplete output: sending this one alone)'}`,
      { ...result, stdout: '', stderr: answers ? '' : result.stderr },
      elapsedMs,
      false,
      false,
    );
    if (!answers) return this.#exec(context.connection, command, { ...execOptions, become });
    this.#probes.store(others, answers.slice(1), key);
    const own = answers[0] as ExecResult;
    this.#emitCommand(command, own, 0, false, true);
    return own;
  }

  /**
   * The prefetch's round trips go in this host's output when its own run starts sending; its
   * answers are dropped there when anything may have changed since it was sent.
   */
  #reportPrefetch(): void {
    if (this.#prefetched.length === 0) return;
    const stale = this.#prefetched.some((p) => p.since !== this.state.changeMark());
    if (stale) this.#probes.drop();
    for (const p of this.#prefetched) {
      const why = !p.complete ? ' (incomplete output: each task probes again)' : stale ? ' (a host changed since: each task probes again)' : '';
      this.#emitCommand(
        `# ${p.commands} probes in one round trip, prefetched ${PREFETCHED_DURING[p.during]}${why}`,
        { ...p.result, stdout: '', stderr: p.complete ? '' : p.result.stderr },
        p.elapsedMs,
        false,
        false,
      );
    }
    this.#prefetched = [];
  }

  async #exec(connection: Connection, command: string, options: ExecOptions, delegatedTo?: string): Promise<ExecResult> {
    const started = performance.now();
    const result = await connection.exec(command, options);
    this.#emitCommand(command, result, performance.now() - started, options.secretOutput === true, false, delegatedTo);
    return result;
  }

  #emitCommand(command: string, result: ExecResult, elapsedMs: number, secretOutput: boolean, batched: boolean, delegatedTo?: string): void {
    const stdout = secretOutput ? '(secret output hidden)' : mask(result.stdout);
    this.state.emit({
      type: 'command',
      host: this.host,
      ...(delegatedTo ? { delegatedTo } : {}),
      command: mask(command),
      code: result.code,
      stdout,
      stderr: mask(result.stderr),
      elapsedMs,
      ...(batched ? { batched } : {}),
    });
  }

  /** How to reach a host: this one, or the one a task is delegated to (with that host's own variables). */
  #connectionSpec(target: string): ConnectionSpec {
    let spec = this.#specs.get(target);
    if (!spec) {
      const vars = target === this.host ? this.vars : this.state.vars(this.role, target);
      spec = this.state.specFor(this.state.inventory, target, vars);
      this.#specs.set(target, spec);
    }
    return spec;
  }

  /** sudo for a task: its own become/becomeUser, else the role's, else the host's. */
  #become(options: Pick<TaskOptions<string>, 'become' | 'becomeUser'> | PredictedTask, spec: ConnectionSpec): ExecOptions['become'] {
    const become = options.become ?? this.role.become ?? spec.become;
    if (!become) return false;
    return { user: options.becomeUser ?? this.role.becomeUser ?? spec.becomeUser, ...(spec.becomePassword ? { password: spec.becomePassword } : {}) };
  }

  #taskFailed<R>(error: unknown, base: TaskRef, started: number, ignoreErrors: boolean, tried?: TaskResult<R>): TaskResult<R> {
    if (error instanceof HostStopped) throw error;
    const message = mask(error instanceof Error ? error.message : String(error));
    const data = (error instanceof CommandError ? { rc: error.result.code, stdout: error.result.stdout, stderr: error.result.stderr } : (tried?.data ?? {})) as Partial<R>;
    const result: TaskResult<R> = { status: 'failed', changed: false, changes: [], msg: message, data, ...(tried?.attempts !== undefined ? { attempts: tried.attempts } : {}) };
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
      this.#markUnreachable(message);
      throw new HostStopped(this.host, 'unreachable');
    }
    this.state.stats.task(this.host, result, ignored);
    if (ignored) return result;
    this.stopped = 'failed';
    this.state.failed.add(this.host);
    this.state.emit({ type: 'host-failed', host: this.host, role: this.role.name, task: base.task, message, ...stackOf(error) });
    this.#abortIfFatal();
    throw new HostStopped(this.host, 'failed');
  }

  /** An error thrown by role or handler code itself, outside any task call. */
  #crashed(error: unknown): void {
    if (error instanceof HostStopped || this.stopped) return;
    const message = mask(error instanceof Error ? error.message : String(error));
    if (error instanceof UnreachableError) return this.#markUnreachable(message);
    this.#recordFailure(message, stackOf(error));
  }

  #markUnreachable(message: string): void {
    this.stopped = 'unreachable';
    this.state.unreachable.add(this.host);
    this.state.stats.unreachable(this.host);
    this.state.emit({ type: 'host-unreachable', host: this.host, message });
    this.#abortIfFatal();
  }

  #recordFailure(message: string, extra: { stack?: string } = {}): void {
    this.stopped = 'failed';
    this.state.failed.add(this.host);
    this.state.stats.failed(this.host);
    this.state.emit({ type: 'host-failed', host: this.host, role: this.role.name, message, ...extra });
    this.#abortIfFatal();
  }

  #abortIfFatal(): void {
    if (this.role.anyErrorsFatal) this.state.abort(this.role.name, this.host);
  }

  #stop(reason: StopReason): never {
    this.stopped = reason;
    throw new HostStopped(this.host, reason);
  }
}

/** One round trip of a prefetch, with the run's change mark from before it started. */
/** What ran while a host prefetched: the serial batch before its own, or a role before its role. */
export type PrefetchedDuring = 'serial batch' | 'role';
const PREFETCHED_DURING: Record<PrefetchedDuring, string> = { 'serial batch': 'during the previous serial batch', role: 'while an earlier role ran' };

interface Prefetched {
  during: PrefetchedDuring;
  since: number;
  commands: number;
  result: ExecResult;
  elapsedMs: number;
  complete: boolean;
}

function failedResult<R>(error: unknown): TaskResult<R> {
  return { status: 'failed', changed: false, changes: [], msg: mask(error instanceof Error ? error.message : String(error)), data: {} };
}

/** The stack of an unexpected error (a bug in role or module code), for -vvv; ploy's own errors need none. */
function stackOf(error: unknown): { stack?: string } {
  return error instanceof Error && !(error instanceof PloyError) && error.stack ? { stack: mask(error.stack) } : {};
}

/** Which sudo a command runs under, for matching batched answers (never the password). */
function becomeKey(become: ExecOptions['become']): string {
  return become ? `sudo:${become.user}` : 'login';
}
