import type { Readable, Writable } from 'node:stream';
import type { Secret } from '../secret.ts';
import { BecomeDialog, BecomeError, becomeFailureMessage } from './become.ts';
import { REMOTE_TIMEOUT_CODES, type BecomeWrap } from './command-line.ts';
import type { ExecResult } from './connection.ts';

/** How a process ended: its exit code, null when it did not exit by itself; the signal that ended it, when known. */
export interface ProcessEnd {
  code: number | null;
  signal?: string;
}

/** A started remote or local process, as the session driver needs it. */
export interface SessionIo {
  stdout: Readable;
  stderr: Readable;
  stdin: Writable;
  /** Stop the process now (signal it, close the channel); `ended` still settles afterwards. */
  kill(): void;
  /** Settles once the process is gone and all its output was read. Rejects if the transport died. */
  ended: Promise<ProcessEnd>;
}

export interface SessionOptions {
  host: string;
  /** The command as the caller wrote it, for error messages. */
  command: string;
  stdin?: string | Buffer;
  become?: { wrap: BecomeWrap; password?: Secret };
  timeoutMs?: number;
  /**
   * The host enforces timeoutMs itself (`timeout` in the command line): a REMOTE_TIMEOUT_CODES exit
   * after the deadline is a timeout, and the local kill is only a fallback, `fallbackMs` later.
   */
  remoteTimeout?: {
    fallbackMs: number;
    /** When the command was asked for (Date.now()), before its channel opened: the host's deadline counts from later than this. */
    requestedAt?: number;
  };
}

/**
 * Drive one process to its end: feed stdin (after sudo let the command start, when becoming),
 * answer sudo's password prompt, enforce the timeout, and collect output as utf8, untrimmed.
 */
export async function runSession(io: SessionIo, options: SessionOptions): Promise<ExecResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let timedOut = false;
  let stdinSent = false;

  const sendStdin = (): void => {
    if (stdinSent) return;
    stdinSent = true;
    io.stdin.end(options.stdin ?? '');
  };
  io.stdin.on('error', () => {}); // the process may exit without reading its stdin

  const dialog = options.become
    ? new BecomeDialog(options.become.wrap, options.become.password, {
        sendPassword: (bytes) => io.stdin.write(bytes),
        ready: sendStdin,
        fail: () => {
          stdinSent = true;
          io.stdin.end();
          io.kill();
        },
      })
    : undefined;

  io.stdout.on('data', (chunk: Buffer) => stdout.push(dialog ? dialog.stdout(chunk) : chunk));
  io.stderr.on('data', (chunk: Buffer) => stderr.push(dialog ? dialog.stderr(chunk) : chunk));
  if (!dialog) sendStdin();

  const started = Date.now();
  const timer = options.timeoutMs
    ? setTimeout(
        () => {
          timedOut = true;
          io.kill();
        },
        options.timeoutMs + (options.remoteTimeout?.fallbackMs ?? 0),
      )
    : undefined;
  let end: ProcessEnd;
  try {
    end = await io.ended;
  } finally {
    if (timer) clearTimeout(timer);
  }
  const { code } = end;
  let signal = end.signal;

  if (options.remoteTimeout && options.timeoutMs && code !== null && REMOTE_TIMEOUT_CODES.includes(code)) {
    // The command cannot have exited by itself with this code after the deadline: `timeout` would have stopped it first.
    // Counted from the request, not from here: the host's clock started while the channel was still opening.
    if (Date.now() - (options.remoteTimeout.requestedAt ?? started) >= options.timeoutMs) {
      timedOut = true;
      signal = code === REMOTE_TIMEOUT_CODES[0] ? 'SIGTERM' : 'SIGKILL';
    }
  }
  let err = Buffer.concat(stderr).toString('utf8');
  const out = Buffer.concat(stdout).toString('utf8');
  const how = signal ? { signal } : {};
  if (timedOut) {
    err += `${err && !err.endsWith('\n') ? '\n' : ''}timed out after ${options.timeoutMs} ms`;
    return { code: -1, stdout: out, stderr: err, timedOut: true, ...how };
  }
  if (dialog && !dialog.started && options.become) {
    const sudoSaid = dialog.sudoOutput();
    const result = { code: code ?? -1, stdout: out, stderr: sudoSaid, timedOut: false, ...how };
    throw new BecomeError(options.command, result, becomeFailureMessage(options.host, options.become.wrap.user, dialog.failure, sudoSaid));
  }
  return { code: code ?? -1, stdout: out, stderr: err, timedOut: false, ...how };
}
