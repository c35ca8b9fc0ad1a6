import type { ExecOptions, ExecResult } from '../connection/connection.ts';
import type { Module, ModuleContext } from '../module.ts';
import { quote } from '../shell.ts';
import type { PredictedTask } from './predicted-task.ts';
import { dependsOnUnknown } from './preflight-unknown.ts';

/** Raised by the recording exec to stop a speculative plan() at its first command. */
class PlanStoppedAtExec extends Error {}

/** Probes larger than this in total are not batched further: the script must fit one argument of sudo (128 KiB). */
const BATCH_BYTES = 64 * 1024;

/** Whether an exec can be answered from a batch: a probe with nothing but a timeout besides, or a text stdin that is no secret. */
export function isBatchableProbe(options: Omit<ExecOptions, 'become'>): boolean {
  const stdin = options.stdin === undefined || options.stdin.length === 0 || (typeof options.stdin === 'string' && !options.secretStdin);
  return options.probe === true && stdin && options.env === undefined && options.cwd === undefined && !options.secretOutput;
}

/** A batchable probe as one command of a batch (and the key of its answer): its stdin, if any, piped in from the script itself. */
export function batchedProbe(command: string, options: Omit<ExecOptions, 'become'>): string {
  if (typeof options.stdin !== 'string' || options.stdin.length === 0) return command;
  return `printf '%s' ${quote(options.stdin)} | {\n${command}\n}`;
}

/**
 * One host's probe batching for one role. When a task's probe misses, the probes of the tasks the
 * preflight pass predicts next are learned by running their plan() up to its first exec, and sent
 * with it in one round trip (probe-batch-script.ts); those tasks then find their answers here.
 *
 * Answers stay valid only while nothing on the host changes: any exec that is not a probe (a
 * change being applied, a handler, a command task) drops them all. A task whose real probe differs
 * from the predicted one (its arguments depended on an earlier result) simply misses.
 *
 * How far ahead to look adapts like TCP's slow start: all the predicted tasks at first (a
 * no-change or check run then costs one round trip); nothing once answers were dropped unused (a
 * converge, where every task changes something: each probe goes alone, with no wasted work on the
 * host); then 1, 2, 4 ... tasks for every task in a row that changed nothing.
 */
export class ProbeBatcher {
  readonly #answers = new Map<string, ExecResult>();
  readonly #unused = new Set<string>();
  readonly #probes = new Map<PredictedTask, string | undefined>();
  #cursor = 0;
  #window: number;
  /** A task has started since the last reached(), and whether it changed anything on the host. */
  #inTask = false;
  #taskChanged = false;

  constructor(private readonly predicted: readonly PredictedTask[]) {
    this.#window = predicted.length;
  }

  /** The real run has come to this task: the tasks predicted after it are the upcoming ones. */
  reached(name: string, module: Module<unknown, unknown>): void {
    if (this.#inTask && !this.#taskChanged) this.#window = Math.min(this.predicted.length, Math.max(1, this.#window * 2));
    this.#inTask = true;
    this.#taskChanged = false;
    for (let index = this.#cursor; index < this.predicted.length; index++) {
      const task = this.predicted[index] as PredictedTask;
      if (task.name === name && task.module === module) {
        this.#cursor = index + 1;
        return;
      }
    }
  }

  /** The batched answer to this probe, when one was taken since the host last changed. */
  take(command: string, becomeKey: string): ExecResult | undefined {
    const key = answerKey(command, becomeKey);
    const answer = this.#answers.get(key);
    if (!answer) return undefined;
    this.#unused.delete(key);
    return answer;
  }

  /** Something on the host may have changed: every batched answer is stale. */
  invalidate(): void {
    this.#taskChanged = true;
    if (this.#answers.size === 0) return;
    if (this.#unused.size > 0) this.#window = 0;
    this.#answers.clear();
    this.#unused.clear();
  }

  /**
   * The probe commands of the next predicted tasks that run with the same become as the current
   * one (up to the window, each once, none equal to `current`), learned from their plan().
   */
  async upcoming(current: string, becomeKey: string, context: ModuleContext, becomeKeyOf: (task: PredictedTask) => string): Promise<string[]> {
    const commands: string[] = [];
    let bytes = current.length;
    for (const task of this.predicted.slice(this.#cursor, this.#cursor + this.#window)) {
      if (becomeKeyOf(task) !== becomeKey) continue;
      const probe = await this.#probeOf(task, context);
      if (probe === undefined || probe === current || commands.includes(probe) || this.#answers.has(answerKey(probe, becomeKey))) continue;
      if (bytes + probe.length > BATCH_BYTES) break;
      bytes += probe.length;
      commands.push(probe);
    }
    return commands;
  }

  /**
   * The probe commands of every predicted task, by become key (each group one batch of at most
   * BATCH_BYTES, in task order), learned from their plan(): what a prefetch sends.
   */
  async all(context: ModuleContext, becomeKeyOf: (task: PredictedTask) => string): Promise<Map<string, string[]>> {
    const groups = new Map<string, { commands: string[]; bytes: number }>();
    for (const task of this.predicted) {
      const probe = await this.#probeOf(task, context);
      if (probe === undefined) continue;
      const key = becomeKeyOf(task);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { commands: [], bytes: 0 }));
      if (group.commands.includes(probe) || group.bytes + probe.length > BATCH_BYTES) continue;
      group.bytes += probe.length;
      group.commands.push(probe);
    }
    return new Map([...groups].map(([key, group]) => [key, group.commands]));
  }

  /** Forget every answer without counting it against the window: they were taken before the run came here. */
  drop(): void {
    this.#answers.clear();
    this.#unused.clear();
  }

  /** Keep the answers of a batch's other commands for the tasks to come. */
  store(commands: readonly string[], results: readonly ExecResult[], becomeKey: string): void {
    for (const [index, command] of commands.entries()) {
      const key = answerKey(command, becomeKey);
      this.#answers.set(key, results[index] as ExecResult);
      this.#unused.add(key);
    }
  }

  async #probeOf(task: PredictedTask, context: ModuleContext): Promise<string | undefined> {
    if (this.#probes.has(task)) return this.#probes.get(task);
    const probe = await firstProbe(task, context);
    this.#probes.set(task, probe);
    return probe;
  }
}

/** The command a task's plan() would send first, when it is a batchable probe; its plan goes no further. */
async function firstProbe(task: PredictedTask, context: ModuleContext): Promise<string | undefined> {
  let probe: string | undefined;
  const stop = async (command: string, options: Omit<ExecOptions, 'become'> = {}): Promise<never> => {
    // A probe built from data only the run gives (the preflight's unknown markers) is not the real one.
    if (isBatchableProbe(options) && !dependsOnUnknown(batchedProbe(command, options))) probe = batchedProbe(command, options);
    throw new PlanStoppedAtExec();
  };
  const connection = { host: context.connection.host, channelsOpened: 0, exec: stop, close: async () => {} };
  try {
    await task.module.plan({ ...context, connection, exec: stop }, task.args);
  } catch {
    // The stop above, or any error: either way the plan is abandoned and nothing ran.
  }
  return probe;
}

function answerKey(command: string, becomeKey: string): string {
  return `${becomeKey}\u0000${command}`;
}
