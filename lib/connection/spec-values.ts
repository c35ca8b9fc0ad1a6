import { InputError } from '../errors.ts';
import { isSecret, secret, type Secret } from '../secret.ts';
import type { Where } from './proxy-jump.ts';

/** Readers for connection vars as YAML gives them; a wrong type is an InputError naming host and var. */

export function connectionKind(value: unknown, where: Where): 'ssh' | 'local' {
  const kind = text(value, where);
  if (kind === undefined || kind === 'ssh' || kind === 'smart' || kind === 'paramiko') return 'ssh';
  if (kind === 'local') return 'local';
  throw new InputError(`connection type ${JSON.stringify(kind)} is not supported; use ssh or local`, where);
}

export function text(value: unknown, where: Where): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new InputError(`expected a string, got ${describe(value)}`, where);
}

export function secretVar(value: unknown, where: Where): Secret | undefined {
  if (value === undefined || value === null) return undefined;
  if (isSecret(value)) return value;
  if (typeof value === 'string' || typeof value === 'number') return secret(String(value));
  throw new InputError(`expected a string, got ${describe(value)}`, where);
}

export function bool(value: unknown, where: Where): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  const word = String(value).trim().toLowerCase();
  if (['true', 'yes', 'on', '1', 'y'].includes(word)) return true;
  if (['false', 'no', 'off', '0', 'n', ''].includes(word)) return false;
  throw new InputError(`expected a boolean (true/false, yes/no), got ${describe(value)}`, where);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
