import { InputError } from '../errors.ts';
import { isSecret, Secret } from '../secret.ts';
import type { Vars } from '../vars.ts';
import { toInputWhere, type VarsWhere } from './secrets.ts';
import { describeYamlValue } from './yaml.ts';

/*
 * Typed reads of variables. A variable that is absent or null (`name:` with no value) counts as
 * unset. Errors name the variable, what was expected and the host (or file/task) given as `where`,
 * never the value itself, which could be a password nobody marked secret.
 */

const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);
const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function isUnset(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function unset(name: string, where: VarsWhere): never {
  throw new InputError(`variable "${name}" is not set (set it in the inventory, or with -e ${name}=...)`, toInputWhere(where));
}

function wrongType(name: string, expected: string, value: unknown, where: VarsWhere, hint = ''): never {
  throw new InputError(`variable "${name}" must be ${expected}, got ${describeYamlValue(value)}${hint}`, toInputWhere(where));
}

function asString(vars: Vars, name: string, where: VarsWhere): string {
  const value = vars[name];
  if (typeof value === 'string') return value;
  if (isSecret(value)) wrongType(name, 'a plain string', value, where, ' (read it with requireSecret)');
  return wrongType(name, 'a string', value, where, typeof value === 'number' || typeof value === 'boolean' ? ' (quote it in YAML)' : '');
}

function asNumber(vars: Vars, name: string, where: VarsWhere): number {
  const value = vars[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  // -e k=v gives strings, as in Ansible
  if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
  return wrongType(name, 'a number', value, where);
}

/** Ansible's boolean(): true/false, yes/no, on/off, y/n, t/f, 1/0, in any case. */
function asBoolean(vars: Vars, name: string, where: VarsWhere): boolean {
  const value = vars[name];
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return wrongType(name, 'a boolean (true/false, yes/no, on/off, 1/0)', value, where);
}

function asStringList(vars: Vars, name: string, where: VarsWhere): string[] {
  const value = vars[name];
  if (!Array.isArray(value)) return wrongType(name, 'a list of strings', value, where, ` (with -e, pass a list as JSON: -e '{"${name}": ["a", "b"]}')`);
  value.forEach((item, index) => {
    if (typeof item !== 'string') wrongType(`${name}[${index}]`, 'a string', item, where);
  });
  return value as string[];
}

function asSecret(vars: Vars, name: string, where: VarsWhere): Secret {
  const value = vars[name];
  if (isSecret(value)) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Secret(String(value));
  return wrongType(name, 'a string', value, where);
}

export function requireString(vars: Vars, name: string, where: VarsWhere): string {
  return isUnset(vars[name]) ? unset(name, where) : asString(vars, name, where);
}

export function optionalString(vars: Vars, name: string, where: VarsWhere): string | undefined;
export function optionalString(vars: Vars, name: string, where: VarsWhere, fallback: string): string;
export function optionalString(vars: Vars, name: string, where: VarsWhere, fallback?: string): string | undefined {
  return isUnset(vars[name]) ? fallback : asString(vars, name, where);
}

export function requireNumber(vars: Vars, name: string, where: VarsWhere): number {
  return isUnset(vars[name]) ? unset(name, where) : asNumber(vars, name, where);
}

export function optionalNumber(vars: Vars, name: string, where: VarsWhere): number | undefined;
export function optionalNumber(vars: Vars, name: string, where: VarsWhere, fallback: number): number;
export function optionalNumber(vars: Vars, name: string, where: VarsWhere, fallback?: number): number | undefined {
  return isUnset(vars[name]) ? fallback : asNumber(vars, name, where);
}

export function requireBoolean(vars: Vars, name: string, where: VarsWhere): boolean {
  return isUnset(vars[name]) ? unset(name, where) : asBoolean(vars, name, where);
}

export function optionalBoolean(vars: Vars, name: string, where: VarsWhere): boolean | undefined;
export function optionalBoolean(vars: Vars, name: string, where: VarsWhere, fallback: boolean): boolean;
export function optionalBoolean(vars: Vars, name: string, where: VarsWhere, fallback?: boolean): boolean | undefined {
  return isUnset(vars[name]) ? fallback : asBoolean(vars, name, where);
}

export function requireStringList(vars: Vars, name: string, where: VarsWhere): string[] {
  return isUnset(vars[name]) ? unset(name, where) : asStringList(vars, name, where);
}

export function optionalStringList(vars: Vars, name: string, where: VarsWhere): string[] | undefined;
export function optionalStringList(vars: Vars, name: string, where: VarsWhere, fallback: string[]): string[];
export function optionalStringList(vars: Vars, name: string, where: VarsWhere, fallback?: string[]): string[] | undefined {
  return isUnset(vars[name]) ? fallback : asStringList(vars, name, where);
}

/** A secret variable, whether it was marked (!secret, markSecrets) or given as a plain string. */
export function requireSecret(vars: Vars, name: string, where: VarsWhere): Secret {
  return isUnset(vars[name]) ? unset(name, where) : asSecret(vars, name, where);
}

export function optionalSecret(vars: Vars, name: string, where: VarsWhere): Secret | undefined {
  return isUnset(vars[name]) ? undefined : asSecret(vars, name, where);
}
