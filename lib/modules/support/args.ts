import { ModuleArgsError } from '../../errors.ts';
import { isSecret } from '../../secret.ts';

/** Owner and group names as useradd accepts them (a trailing $ for machine accounts), or numeric ids. */
const ACCOUNT = /^[a-z_][a-z0-9_-]*\$?$|^\d+$/;

/** The arguments must be an object with only the known keys: a typo is an error, not a no-op. */
export function requireObject(args: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new ModuleArgsError(`arguments must be an object, got ${args === null ? 'null' : Array.isArray(args) ? 'an array' : typeof args}`);
  }
  for (const key of Object.keys(args)) {
    if (!known.includes(key)) {
      throw new ModuleArgsError(`unknown argument (known: ${known.join(', ')})`, { field: key });
    }
  }
  return args as Record<string, unknown>;
}

export function requireAbsolutePath(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ModuleArgsError(`must be an absolute path, got ${value === '' ? 'an empty string' : typeof value}`, { field });
  }
  if (!value.startsWith('/')) throw new ModuleArgsError(`must be an absolute path, got ${JSON.stringify(value)}`, { field });
  rejectControlCharacters(value, field);
  return value;
}

export function optionalAbsolutePath(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : requireAbsolutePath(value, field);
}

/** Paths go through line-based probe output: a newline or other control character is refused. */
export function rejectControlCharacters(value: string, field: string): void {
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new ModuleArgsError(`must not contain control characters (newline, tab, NUL): ${JSON.stringify(value)}`, { field });
  }
}

export function optionalAccount(value: unknown, field: 'owner' | 'group'): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    throw new ModuleArgsError(`${field} must be a string; write a numeric id as '${value}'`, { field });
  }
  if (typeof value !== 'string' || !ACCOUNT.test(value)) {
    throw new ModuleArgsError(`${field} must be a user or group name (lowercase letters, digits, _ and -) or a numeric id, got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new ModuleArgsError(`must be true or false, got ${JSON.stringify(value)}`, { field });
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new ModuleArgsError(`must be a string, got ${typeof value}`, { field });
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ModuleArgsError(`must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`, { field });
}

export function optionalFunction<F>(value: unknown, field: string): F | undefined {
  if (value === undefined || typeof value === 'function') return value as F | undefined;
  throw new ModuleArgsError(`must be a function, got ${typeof value}`, { field });
}

export function optionalPositiveInteger(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new ModuleArgsError(`must be a positive whole number, got ${JSON.stringify(value)}`, { field });
}

/** A string or a Secret (content, stdin, env values). */
export function isTextValue(value: unknown): boolean {
  return typeof value === 'string' || isSecret(value);
}
