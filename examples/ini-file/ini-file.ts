/**
 * iniFile: one option of an INI file (systemd drop-ins, php.ini, my.cnf, git and tool configs),
 * as Ansible's community.general.ini_file. One probe reads the file; the edit is computed on the
 * controller; the write is atomic with the final owner and mode; --diff shows the edit.
 */
import {
  argCheck,
  argsSchema,
  choice,
  choiceType,
  defineModule,
  fileAttributeArgs,
  ModuleArgsError,
  optional,
  planTextEdit,
  PRESENCE,
  required,
  type SchemaArgs,
  type TextEditData,
} from 'ploy/module-kit';
import { isSecret, reveal, type Secret } from 'ploy';
import { editIni } from './ini-edit.ts';

export const iniFileArgs = argsSchema(
  {
    path: required('string', argCheck.absolutePath, 'The file (a symbolic link is followed).'),
    section: optional('string', sectionName, 'The [section], without brackets; omitted: the options before the first section header.'),
    option: optional('string', optionName, "The option to set or remove; omitted with state 'absent': the whole section is removed."),
    value: optional('string | number | Secret', optionValue, "Required with state 'present'. A Secret is written as its value and masked in every output."),
    state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: the option is set (or the section kept); absent: the option, or the whole section, is removed.', "'present'"),
    create: optional('boolean', argCheck.optionalBoolean, "Create the file (and its directory, 0755) when missing, as Ansible's does.", 'true'),
    noExtraSpaces: optional('boolean', argCheck.optionalBoolean, '`option=value` instead of `option = value`.'),
    backup: optional('boolean', argCheck.optionalBoolean, 'Keep the old file as PATH.PID.YYYY-MM-DD@HH:MM:SS~ before changing it.'),
    ...fileAttributeArgs,
  },
  {
    summary: "One option of an INI file, or a whole section, as Ansible's community.general.ini_file.",
    checkMode: 'Reads the file (one round trip); reports "option added/changed/removed" or "section removed" and, with --diff, the diff; writes nothing.',
    first(raw) {
      if (raw.state === 'absent' && raw.value !== undefined) {
        throw new ModuleArgsError("is not used with state 'absent': the option goes whatever its value", { field: 'value' });
      }
    },
    across(args) {
      if ((args.state ?? 'present') === 'present') {
        if (args.option === undefined) throw new ModuleArgsError("is required with state 'present'", { field: 'option' });
        if (args.value === undefined) throw new ModuleArgsError("is required with state 'present' (an empty string for an empty value)", { field: 'value' });
      }
      if (args.section === undefined && args.option === undefined) {
        throw new ModuleArgsError('give the section to remove, or the option to remove from before the first section', { field: 'section' });
      }
    },
  },
);

export type IniFileArgs = SchemaArgs<typeof iniFileArgs>;

export type IniFileData = TextEditData;

export const iniFile = defineModule<IniFileArgs, IniFileData>({
  name: 'ini_file',
  batchProbes: true,

  schema: iniFileArgs,
  validate: iniFileArgs.validate,

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
        current === null && state === 'absent' ? 'leave' : editIni(current, { section: args.section ?? null, option: args.option, value, state, noExtraSpaces: args.noExtraSpaces ?? false }),
    );
  },
});

function sectionName(value: unknown, field: string): string | undefined {
  const section = wordOnOneLine(value, field);
  if (section !== undefined && /[[\]]/.test(section)) {
    throw new ModuleArgsError(`a section name cannot hold [ or ]: write it without brackets, got ${JSON.stringify(section)}`, { field });
  }
  return section;
}

function optionName(value: unknown, field: string): string | undefined {
  const option = wordOnOneLine(value, field);
  if (option?.includes('=')) throw new ModuleArgsError(`an option name cannot hold =, got ${JSON.stringify(option)}`, { field });
  return option;
}

/** Section and option names go on one line of the file: no control characters, not blank. */
function wordOnOneLine(value: unknown, field: string): string | undefined {
  const text = argCheck.optionalString(value, field);
  if (text === undefined) return undefined;
  argCheck.noControlCharacters(text, field);
  if (text.trim() === '') throw new ModuleArgsError(`must not be empty, got ${JSON.stringify(text)}`, { field });
  return text;
}

function optionValue(value: unknown, field: string): string | number | Secret {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ModuleArgsError(`must be a finite number, got ${value}`, { field });
    return value;
  }
  if (typeof value !== 'string' && !isSecret(value)) throw new ModuleArgsError(`must be a string, a number or a Secret, got ${typeof value}`, { field });
  if (/[\r\n]/.test(reveal(value))) throw new ModuleArgsError('must fit on one line', { field });
  return value;
}
