/**
 * iniFile: one option of an INI file (systemd drop-ins, php.ini, my.cnf, git and tool configs),
 * as Ansible's community.general.ini_file. One probe reads the file; the edit is computed on the
 * controller; the write is atomic with the final owner and mode; --diff shows the edit.
 */
import { argCheck, defineModule, ModuleArgsError, planTextEdit, type TextEditData } from 'ploy/module-kit';
import { isSecret, reveal, type Secret } from 'ploy';
import { editIni } from './ini-edit.ts';

export interface IniFileArgs {
  /** The file (a symbolic link is followed). */
  path: string;
  /** The [section]; omitted: the options before the first section header. */
  section?: string;
  /** The option to set or remove; omitted with state 'absent': the whole section is removed. */
  option?: string;
  /** Required with state 'present'. A Secret is written as its value and masked in every output. */
  value?: string | number | Secret;
  /** Default 'present'. */
  state?: 'present' | 'absent';
  /** Create the file (and its directory, 0755) when missing. Default true, as Ansible's. */
  create?: boolean;
  /** `option=value` instead of `option = value`. */
  noExtraSpaces?: boolean;
  backup?: boolean;
  owner?: string;
  group?: string;
  mode?: string;
}

export type IniFileData = TextEditData;

const KNOWN = ['path', 'section', 'option', 'value', 'state', 'create', 'noExtraSpaces', 'backup', 'owner', 'group', 'mode'] as const;

export const iniFile = defineModule<IniFileArgs, IniFileData>({
  name: 'ini_file',
  batchProbes: true,

  validate(args) {
    const raw = argCheck.object(args, KNOWN);
    argCheck.absolutePath(raw.path, 'path');
    const state = raw.state === undefined ? 'present' : argCheck.oneOf(raw.state, ['present', 'absent'] as const, 'state');
    for (const field of ['section', 'option'] as const) {
      const text = argCheck.optionalString(raw[field], field);
      if (text !== undefined) wordOnOneLine(text, field);
    }
    if (typeof raw.section === 'string' && /[[\]]/.test(raw.section)) {
      throw new ModuleArgsError(`a section name cannot hold [ or ]: write it without brackets, got ${JSON.stringify(raw.section)}`, { field: 'section' });
    }
    if (typeof raw.option === 'string' && raw.option.includes('=')) {
      throw new ModuleArgsError(`an option name cannot hold =, got ${JSON.stringify(raw.option)}`, { field: 'option' });
    }
    for (const field of ['create', 'noExtraSpaces', 'backup'] as const) argCheck.optionalBoolean(raw[field], field);
    argCheck.optionalAccount(raw.owner, 'owner');
    argCheck.optionalAccount(raw.group, 'group');
    if (raw.mode !== undefined) argCheck.mode(raw.mode, 'mode');
    if (state === 'present') {
      if (raw.option === undefined) throw new ModuleArgsError("is required with state 'present'", { field: 'option' });
      if (raw.value === undefined) throw new ModuleArgsError("is required with state 'present' (an empty string for an empty value)", { field: 'value' });
    }
    if (raw.value !== undefined) {
      if (state === 'absent') throw new ModuleArgsError("is not used with state 'absent': the option goes whatever its value", { field: 'value' });
      if (typeof raw.value === 'number') {
        if (!Number.isFinite(raw.value)) throw new ModuleArgsError(`must be a finite number, got ${raw.value}`, { field: 'value' });
      } else if (typeof raw.value !== 'string' && !isSecret(raw.value)) {
        throw new ModuleArgsError(`must be a string, a number or a Secret, got ${typeof raw.value}`, { field: 'value' });
      }
      if (/[\r\n]/.test(typeof raw.value === 'number' ? '' : reveal(raw.value))) throw new ModuleArgsError('must fit on one line', { field: 'value' });
    }
    if (raw.section === undefined && raw.option === undefined) {
      throw new ModuleArgsError('give the section to remove, or the option to remove from before the first section', { field: 'section' });
    }
    return args;
  },

  async plan(ctx, args) {
    const state = args.state ?? 'present';
    const value = args.value === undefined ? undefined : typeof args.value === 'number' ? String(args.value) : reveal(args.value);
    return planTextEdit<IniFileData>(
      ctx,
      {
        path: args.path,
        create: args.create ?? true,
        owner: args.owner,
        group: args.group,
        mode: args.mode === undefined ? undefined : argCheck.mode(args.mode),
        backup: args.backup,
      },
      (current) =>
        current === null && state === 'absent'
          ? 'leave'
          : editIni(current, { section: args.section ?? null, option: args.option, value, state, noExtraSpaces: args.noExtraSpaces ?? false }),
    );
  },
});

/** Section and option names go on one line of the file: no control characters, not blank. */
function wordOnOneLine(text: string, field: string): void {
  argCheck.noControlCharacters(text, field);
  if (text.trim() === '') throw new ModuleArgsError(`must not be empty, got ${JSON.stringify(text)}`, { field });
}
