/** The one place that decides whether output may use colour and a live status line. */

/** Where reporters write: process.stdout/stderr, or a fake in tests. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface TerminalMode {
  /** ANSI colours allowed. */
  readonly color: boolean;
  /** A transient status line (cursor control) allowed. */
  readonly live: boolean;
  /** Width to fit a status line into. */
  readonly columns: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * A terminal gets colours and live progress unless NO_COLOR is set (https://no-color.org: any
 * non-empty value) or TERM is "dumb". Anything else (a pipe, a file) gets plain lines only.
 */
export function terminalMode(stream: OutputStream, env: Environment = process.env): TerminalMode {
  const noColor = (env.NO_COLOR ?? '') !== '';
  const dumb = env.TERM === 'dumb';
  const rich = stream.isTTY === true && !noColor && !dumb;
  return { color: rich, live: rich, columns: stream.columns && stream.columns > 0 ? stream.columns : 80 };
}

export const PLAIN: TerminalMode = { color: false, live: false, columns: 80 };

export type Paint = (text: string) => string;

export interface Palette {
  readonly green: Paint;
  readonly yellow: Paint;
  readonly cyan: Paint;
  readonly red: Paint;
  readonly magenta: Paint;
  readonly bold: Paint;
  readonly dim: Paint;
}

const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    text ? `\x1b[${open}m${text}\x1b[${close}m` : text;
const same: Paint = (text) => text;

const COLORS: Palette = {
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
  red: sgr(31, 39),
  magenta: sgr(35, 39),
  bold: sgr(1, 22),
  dim: sgr(2, 22),
};

const NO_COLORS: Palette = { green: same, yellow: same, cyan: same, red: same, magenta: same, bold: same, dim: same };

export function palette(color: boolean): Palette {
  return color ? COLORS : NO_COLORS;
}

/** Return to column 0 and clear the line: erases a transient status line. */
export const ERASE_LINE = '\r\x1b[2K';

const ANSI_PATTERN = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}
