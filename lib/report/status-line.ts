import { mask } from '../secret.ts';
import { fitWidth } from './format.ts';
import { ERASE_LINE, type OutputStream, type Palette, type TerminalMode } from './terminal.ts';

export interface StatusLineOptions {
  /** Least time between two redraws. */
  intervalMs: number;
  now: () => number;
}

/**
 * The transient last line of a live terminal: which hosts are busy and on which task. It is
 * redrawn at most every intervalMs (and every second while hosts are busy, so durations tick),
 * and erased by clear() before any ordinary line is printed. Inert when the mode is not live.
 */
export class StatusLine {
  readonly #inFlight = new Map<string, { task: string; since: number }>();
  #shown = false;
  #lastDraw = -Infinity;
  #pending: NodeJS.Timeout | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly mode: TerminalMode,
    private readonly colors: Palette,
    private readonly options: StatusLineOptions,
  ) {}

  start(host: string, task: string): void {
    this.#inFlight.set(host, { task, since: this.options.now() });
    this.#changed();
  }

  finish(host: string): void {
    this.#inFlight.delete(host);
    this.#changed();
  }

  /** The line as it would be drawn now, without colour; '' when no host is busy. */
  text(): string {
    if (this.#inFlight.size === 0) return '';
    const now = this.options.now();
    const busy = [...this.#inFlight].map(([host, { task, since }]) => `${host} ${task} ${Math.floor((now - since) / 1000)}s`);
    return fitWidth(mask(`running ${this.#inFlight.size}: ${busy.join(' | ')}`), Math.max(10, this.mode.columns - 1));
  }

  /** Erase the line if it is on screen; call before printing anything else. */
  clear(): void {
    if (!this.#shown) return;
    this.stream.write(ERASE_LINE);
    this.#shown = false;
  }

  /** Draw again soon (throttled); call after printing ordinary lines. */
  schedule(): void {
    if (!this.mode.live || this.#stopped || this.#pending) return;
    const wait = Math.max(0, this.#lastDraw + this.options.intervalMs - this.options.now());
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#draw();
    }, wait);
    this.#pending.unref();
  }

  /** Erase the line and cancel every timer; the line never comes back. */
  stop(): void {
    this.#stopped = true;
    if (this.#pending) clearTimeout(this.#pending);
    if (this.#ticker) clearInterval(this.#ticker);
    this.#pending = this.#ticker = undefined;
    this.clear();
  }

  #changed(): void {
    if (!this.mode.live || this.#stopped) return;
    if (this.#inFlight.size > 0 && !this.#ticker) {
      this.#ticker = setInterval(() => this.schedule(), 1000);
      this.#ticker.unref();
    } else if (this.#inFlight.size === 0 && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
    this.schedule();
  }

  #draw(): void {
    if (this.#stopped) return;
    this.#lastDraw = this.options.now();
    const line = this.text();
    this.clear();
    if (!line) return;
    this.stream.write(this.colors.dim(line));
    this.#shown = true;
  }
}
