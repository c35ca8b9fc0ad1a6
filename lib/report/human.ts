import type { TaskResult } from '../result.ts';
import type { Reporter, RunEvent } from '../runner/events.ts';
import { mask } from '../secret.ts';
import { commandLines, diffLines } from './detail-lines.ts';
import { banner, formatDuration, formatSeconds, indentLines } from './format.ts';
import { formatRecap } from './recap.ts';
import { StatusLine } from './status-line.ts';
import { palette, terminalMode, type Environment, type OutputStream, type Paint, type Palette, type TerminalMode } from './terminal.ts';

export interface HumanReporterOptions {
  out: OutputStream;
  /** Warnings go here. */
  err: OutputStream;
  /** 0: results only; 1 (-v): commands with rc and time; 2 (-vv): also their output; 3: longer output. */
  verbosity?: number;
  /** Print the diffs modules return (--diff). */
  diff?: boolean;
  /** Read for NO_COLOR and TERM; process.env by default. */
  env?: Environment;
  /** Override the terminal decision for out (and err unless errMode is given). */
  mode?: TerminalMode;
  errMode?: TerminalMode;
  statusIntervalMs?: number;
  now?: () => number;
}

type Status = TaskResult['status'] | 'unreachable';
type TaskEnd = Extract<RunEvent, { type: 'task-end' }>;

const LABELS: Record<Status, string> = { ok: 'ok', changed: 'changed', skipped: 'skipped', failed: 'failed', unreachable: 'unreachable' };

/** Ansible-like progress for people: a line per task and host, a live status line on terminals, a recap. */
export class HumanReporter implements Reporter {
  readonly #out: OutputStream;
  readonly #err: OutputStream;
  readonly #colors: Palette;
  readonly #errColors: Palette;
  readonly #status: StatusLine;
  readonly #verbosity: number;
  readonly #diff: boolean;
  readonly #outputLimit: number;
  /** The last failure printed per host, so a host-failed event repeating it is not printed twice. */
  readonly #lastFailure = new Map<string, { task: string; msg: string }>();
  #playHosts: string[] = [];
  /** A failed task's line, held until the next event shows whether the host became unreachable. */
  #pendingFailure: TaskEnd | undefined;
  #closed = false;

  constructor(options: HumanReporterOptions) {
    const env = options.env ?? process.env;
    const mode = options.mode ?? terminalMode(options.out, env);
    this.#out = options.out;
    this.#err = options.err;
    this.#colors = palette(mode.color);
    this.#errColors = palette((options.errMode ?? options.mode ?? terminalMode(options.err, env)).color);
    this.#verbosity = options.verbosity ?? 0;
    this.#diff = options.diff ?? false;
    this.#outputLimit = this.#verbosity >= 3 ? 65_536 : 2_048;
    this.#status = new StatusLine(options.out, mode, this.#colors, {
      intervalMs: options.statusIntervalMs ?? 100,
      now: options.now ?? Date.now,
    });
  }

  emit(event: RunEvent): void {
    if (this.#closed) return;
    if (this.#pendingFailure && this.#unreachableInTask(event)) return;
    this.#flushPending();
    const c = this.#colors;
    switch (event.type) {
      case 'play-start':
        this.#playHosts = [...event.hosts];
        return this.#print(['', c.bold(banner(`PLAY [${event.play}]${event.check ? ' [CHECK MODE]' : ''}`))]);
      case 'role-start': {
        const batch = event.batch && event.batch.count > 1 ? ` batch ${event.batch.index}/${event.batch.count}` : '';
        const empty = event.hosts.length === 0 ? [c.cyan('skipping: no hosts left to run on')] : [];
        return this.#print(['', c.bold(banner(`ROLE [${event.role}]${batch}`)), ...empty]);
      }
      case 'task-start':
        return this.#status.start(event.host, event.task);
      case 'task-retry':
        if (this.#verbosity >= 1) {
          const left = event.attempts - event.attempt;
          this.#print(this.#resultLine('failed', hostLabel(event), `${event.task} - retrying (${left} ${left === 1 ? 'try' : 'tries'} left, next in ${formatSeconds(event.delayMs)})`, event.msg));
        }
        return;
      case 'task-end':
        this.#status.finish(event.host);
        if (event.result.status === 'failed' && !event.ignored) {
          this.#pendingFailure = event;
          queueMicrotask(() => this.#flushPending());
          return;
        }
        return this.#print(this.#taskLines(event));
      case 'command':
        if (this.#verbosity >= 1) this.#print(commandLines(event, this.#colors, { showOutput: this.#verbosity >= 2, limitBytes: this.#outputLimit }));
        return;
      case 'host-failed': {
        this.#status.finish(event.host);
        const last = this.#lastFailure.get(event.host);
        const stack = this.#verbosity >= 3 && event.stack ? indentLines(mask(event.stack), '    ').map(this.#colors.dim) : [];
        if (last && last.task === (event.task ?? last.task) && last.msg.includes(mask(event.message))) return stack.length ? this.#print(stack) : undefined;
        return this.#print([...this.#resultLine('failed', event.host, event.task ?? event.role, event.message), ...stack]);
      }
      case 'host-unreachable':
        this.#status.finish(event.host);
        return this.#print(this.#resultLine('unreachable', event.host, '', withoutHostPrefix(event.host, event.message)));
      case 'warning': {
        const where = event.host ? `[${event.host}] ` : '';
        return this.#print([this.#errColors.magenta(`[WARNING]: ${where}${event.message}`)], this.#err);
      }
      case 'play-end':
        this.#status.stop();
        return this.#print([
          '',
          c.bold(banner('PLAY RECAP')),
          ...formatRecap(event.stats, this.#playHosts, c),
          '',
          ...(event.interrupted ? [c.red('Interrupted: the play was stopped before it finished.')] : []),
          `Total elapsed: ${formatSeconds(event.elapsedMs)}`,
        ]);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#flushPending();
    this.#closed = true;
    this.#status.stop();
  }

  /**
   * A task that fails because its host became unreachable is followed, in the same tick, by
   * host-unreachable with the same message: print one "unreachable" line for the task instead of
   * a "failed" line and an "unreachable" one.
   */
  #unreachableInTask(event: RunEvent): boolean {
    const failed = this.#pendingFailure;
    if (!failed || event.type !== 'host-unreachable' || event.host !== failed.host || event.message !== failed.result.msg) return false;
    this.#pendingFailure = undefined;
    this.#print(this.#resultLine('unreachable', hostLabel(failed), this.#taskName(failed), withoutHostPrefix(event.host, event.message)));
    return true;
  }

  #flushPending(): void {
    const failed = this.#pendingFailure;
    if (!failed || this.#closed) return;
    this.#pendingFailure = undefined;
    this.#print(this.#taskLines(failed));
  }

  #taskLines(event: TaskEnd): string[] {
    const { result } = event;
    const name = this.#taskName(event);
    const showMsg = result.status === 'failed' || result.status === 'skipped';
    const lines = this.#resultLine(result.status, hostLabel(event), name, showMsg ? result.msg : undefined);
    if (event.ignored) lines.push(this.#colors.cyan('    ...ignoring'));
    else if (result.status === 'failed') this.#lastFailure.set(event.host, { task: event.task, msg: mask(result.msg ?? '') });
    if (result.status === 'changed') lines.push(...result.changes.map((change) => `    ~ ${mask(change)}`));
    if (this.#diff && result.diff) lines.push(...diffLines(result.diff, this.#colors));
    return lines;
  }

  #taskName(event: TaskEnd): string {
    const tries = event.result.attempts !== undefined && event.result.attempts > 1 ? ` (${event.result.attempts} tries)` : '';
    return `${event.task}${event.handler ? ' (handler)' : ''}${tries}${this.#verbosity >= 1 ? ` (${formatDuration(event.elapsedMs)})` : ''}`;
  }

  /** `changed: [web1] Write config`, with a message after "=>" and its further lines indented. */
  #resultLine(status: Status, host: string, task: string, message?: string): string[] {
    const paint = this.#statusPaint(status);
    const [first = '', ...rest] = message ? mask(message).replace(/\n$/, '').split('\n') : [];
    const head = `${LABELS[status]}: [${host}]${task ? ` ${mask(task)}` : ''}${message ? ` => ${first}` : ''}`;
    return [paint(head), ...rest.map((line) => paint(`    ${line}`))];
  }

  #statusPaint(status: Status): Paint {
    const c = this.#colors;
    return { ok: c.green, changed: c.yellow, skipped: c.cyan, failed: c.red, unreachable: c.red }[status];
  }

  /** Every line passes through mask() once more as a whole, in case a secret spans pieces. */
  #print(lines: string[], stream: OutputStream = this.#out): void {
    this.#status.clear();
    stream.write(`${mask(lines.join('\n'))}\n`);
    this.#status.schedule();
  }
}

/** `server-2`, or `server-2 -> server-1` for a task delegated to server-1 (Ansible's form). */
function hostLabel(event: { host: string; delegatedTo?: string }): string {
  return event.delegatedTo ? `${event.host} -> ${event.delegatedTo}` : event.host;
}

/** UnreachableError messages start with the host name, which the line already shows. */
function withoutHostPrefix(host: string, message: string): string {
  return message.startsWith(`${host}: `) ? message.slice(host.length + 2) : message;
}
