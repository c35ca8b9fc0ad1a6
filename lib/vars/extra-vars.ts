import { resolve } from 'node:path';
import { InputError } from '../errors.ts';
import type { Vars } from '../vars.ts';
import { parseKeyValues } from './key-value.ts';
import { combineVars } from './merge.ts';
import { markSecrets } from './secrets.ts';
import { describeYamlValue, isMapping, parseYaml, readYamlFile } from './yaml.ts';

const FLAG = '--extra-vars';

export interface ExtraVarsOptions {
  /** Directory relative @file paths are read from. Default: process.cwd(). */
  cwd?: string;
}

/**
 * Parse every -e/--extra-vars value, merged left to right (a later one replaces a top-level key),
 * as Ansible's load_extra_vars does.
 */
export async function parseExtraVars(values: readonly string[], options: ExtraVarsOptions = {}): Promise<Vars> {
  let vars: Vars = {};
  for (const value of values) vars = combineVars(vars, await parseExtraVar(value, options));
  return vars;
}

/**
 * One -e value, in one of Ansible's three forms:
 * - `@vars.yml`: a YAML or JSON file holding a mapping (the `!secret` tag works there);
 * - `{"a": 1}` (or any YAML flow mapping): typed values, as YAML reads them;
 * - `k=v k2="two words"`: every value a string.
 */
export async function parseExtraVar(value: string, options: ExtraVarsOptions = {}): Promise<Vars> {
  const text = value.trim();
  if (text === '') return {};
  if (text.startsWith('@')) {
    const file = text.slice(1);
    if (file === '') throw new InputError('"@" must be followed by a file name, e.g. -e @vars.yml', { field: FLAG });
    const source = await readYamlFile(resolve(options.cwd ?? process.cwd(), file), file);
    return checkedMapping(source.data, { file }, `the file must hold a mapping of variable names to values`);
  }
  if (text.startsWith('/') || text.startsWith('.')) {
    throw new InputError(`"${text}" looks like a file name: write -e @${text} to read variables from it`, { field: FLAG });
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    const source = parseYaml(text, FLAG);
    return checkedMapping(source.data, { field: FLAG }, 'a {...} value must be a mapping of variable names to values');
  }
  return markSecrets(parseKeyValues(text, FLAG));
}

function checkedMapping(data: unknown, where: InputError['where'], expectation: string): Vars {
  if (!isMapping(data)) throw new InputError(`${expectation}, got ${describeYamlValue(data)}`, where);
  return markSecrets(data, [], where);
}
