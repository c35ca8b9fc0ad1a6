import { describeExit } from './connection/connection.ts';
import { mask } from './secret.ts';

/** Base of every error ploy raises on purpose. Messages are masked for secrets at construction. */
export class PloyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(mask(message), options);
    this.name = new.target.name;
  }
}

/** Bad input from the user: inventory, flags, vars, module arguments, templates. Exit code 1. */
export class InputError extends PloyError {
  /** The message without its location, to re-raise with more of the location known. */
  readonly reason: string;

  constructor(
    message: string,
    readonly where?: { file?: string; line?: number; column?: number; host?: string; task?: string; field?: string },
    options?: { cause?: unknown },
  ) {
    super(InputError.locate(message, where), options);
    this.reason = message;
  }

  private static locate(message: string, where?: InputError['where']): string {
    if (!where) return message;
    const parts: string[] = [];
    if (where.file) parts.push(where.line ? `${where.file}:${where.line}${where.column ? `:${where.column}` : ''}` : where.file);
    if (where.host) parts.push(`host ${where.host}`);
    if (where.task) parts.push(`task "${where.task}"`);
    if (where.field) parts.push(`field "${where.field}"`);
    return parts.length ? `${parts.join(', ')}: ${message}` : message;
  }
}

/** A module was given arguments it cannot accept. Raised before the module touches the host. */
export class ModuleArgsError extends InputError {}

/** A host could not be reached or its connection broke. The host is reported unreachable (exit 4). */
export class UnreachableError extends PloyError {
  constructor(
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${message}`, options);
  }
}

/** The host's key is unknown or differs from known_hosts. Refused: the host is unreachable. */
export class HostKeyError extends UnreachableError {}

/** A remote command exited non-zero where success was required. Carries the full result. */
export class CommandError extends PloyError {
  constructor(
    readonly command: string,
    readonly result: { code: number; stdout: string; stderr: string; timedOut?: boolean; signal?: string },
    message?: string,
  ) {
    super(message ?? `command failed (${describeExit(result)}): ${command}${result.stderr ? `\n${result.stderr.trim()}` : ''}`);
  }
}

/** A task failed on a host: the host stops its own tasks, the others go on (exit 2). */
export class TaskFailedError extends PloyError {}
