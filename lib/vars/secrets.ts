import { InputError } from '../errors.ts';
import { isSecret, Secret } from '../secret.ts';
import type { Vars } from '../vars.ts';
import { describeYamlValue } from './yaml.ts';

/** Connection passwords: Secrets wherever they are set (inventory, vars files, -e, role defaults). */
export const ALWAYS_SECRET_VARS: readonly string[] = [
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_become_password',
  'ansible_become_pass', // Ansible's alias of ansible_become_password
];

/** Where the variables come from, for messages: a host name, or a file/host/task location. */
export type VarsWhere = string | { file?: string; line?: number; column?: number; host?: string; task?: string };

export function toInputWhere(where: VarsWhere | undefined): InputError['where'] {
  return typeof where === 'string' ? { host: where } : where;
}

/**
 * A copy of vars in which each named variable, and every ALWAYS_SECRET_VARS one, holds a Secret.
 * Strings and numbers are wrapped (a numeric password is still a password); a Secret stays as is;
 * an unset or null variable is left alone. Any other value (a list, a mapping) is an InputError.
 */
export function markSecrets(vars: Vars, names: Iterable<string> = [], where?: VarsWhere): Vars {
  const out: Vars = { ...vars };
  for (const name of new Set([...ALWAYS_SECRET_VARS, ...names])) {
    const value = vars[name];
    if (value === undefined || value === null || isSecret(value)) continue;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new InputError(`variable "${name}" is a secret and must be a string, got ${describeYamlValue(value)}`, toInputWhere(where));
    }
    out[name] = new Secret(String(value));
  }
  return out;
}
