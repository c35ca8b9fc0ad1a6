import { ModuleArgsError } from '../../errors.ts';
import { defineModule, type Module } from '../../module.ts';
import { oneOf, optionalAccount, optionalBoolean, optionalString, requireAbsolutePath, requireObject } from './args.ts';
import { parseMode } from './mode.ts';
import { planTextEdit, type TextEditData } from './text-file-edit.ts';

/** The arguments lineinfile and blockinfile share: the file, where to insert, and how to write it. */
export interface TextEditArgs {
  /** The file to edit (a symbolic link is followed). */
  path: string;
  state?: 'present' | 'absent';
  insertAfter?: string;
  insertBefore?: string;
  /** Create the file (and its directory) when missing; otherwise a missing file is an error. */
  create?: boolean;
  backup?: boolean;
  /** A command that must accept the new file, %s being its temp path ('visudo -cf %s'). */
  validate?: string;
  owner?: string;
  group?: string;
  mode?: string;
}

export type TextEditState = 'present' | 'absent';

/** What makes lineinfile lineinfile (or blockinfile blockinfile): its own arguments and its edit. */
export interface TextEditModuleSpec<A extends TextEditArgs, E, R extends TextEditData> {
  name: string;
  /** Every argument the module takes, in the order an unknown-argument error lists them. */
  known: readonly (keyof A & string)[];
  /** Its own string and boolean arguments; the shared ones are checked after them. */
  strings: readonly (keyof A & string)[];
  booleans: readonly (keyof A & string)[];
  /** Checks of its own arguments, once the shared ones passed. */
  check(raw: Record<string, unknown>, state: TextEditState): void;
  /** The edit from valid arguments (patterns compiled once, at validate). */
  compile(args: A, state: TextEditState): E;
  /** The new text; current is null when the file does not exist yet (never with state absent). */
  edit(current: string | null, compiled: E): { text: string; msg: string; data?: Partial<R> };
}

/**
 * A module that edits one text file as Ansible's lineinfile and blockinfile do: the shared
 * arguments validated alike, the edit compiled once, and one planning path (planTextEdit) where a
 * missing file stays missing with state absent.
 */
export function defineTextEditModule<A extends TextEditArgs, E, R extends TextEditData>(spec: TextEditModuleSpec<A, E, R>): Module<A, R> {
  /** Compiled edits, per validated args object, so plan() does not compile them again. */
  const compiled = new WeakMap<A, E>();
  return defineModule<A, R>({
    name: spec.name,
    batchProbes: true,

    validate(args) {
      const raw = requireObject(args, spec.known);
      requireAbsolutePath(raw.path, 'path');
      const state = raw.state === undefined ? 'present' : oneOf(raw.state, ['present', 'absent'] as const, 'state');
      for (const field of [...spec.strings, 'insertAfter', 'insertBefore']) optionalString(raw[field], field);
      for (const field of [...spec.booleans, 'create']) optionalBoolean(raw[field], field);
      validateEditAttributes(raw);
      if (raw.insertAfter !== undefined && raw.insertBefore !== undefined) {
        throw new ModuleArgsError('insertAfter and insertBefore cannot be used together', { field: 'insertBefore' });
      }
      spec.check(raw, state);
      compiled.set(args, spec.compile(args, state));
      return args;
    },

    async plan(ctx, args) {
      const state = args.state ?? 'present';
      const edit = compiled.get(args) ?? spec.compile(args, state);
      return planTextEdit<R>(
        ctx,
        {
          path: args.path,
          create: args.create ?? false,
          owner: args.owner,
          group: args.group,
          mode: args.mode === undefined ? undefined : parseMode(args.mode),
          backup: args.backup,
          validate: args.validate,
        },
        (current) => (current === null && state === 'absent' ? 'leave' : spec.edit(current, edit)),
      );
    },
  });
}

/** The file arguments lineinfile and blockinfile share: owner, group, mode, backup, validate. */
function validateEditAttributes(raw: Record<string, unknown>): void {
  optionalAccount(raw.owner, 'owner');
  optionalAccount(raw.group, 'group');
  if (raw.mode !== undefined) parseMode(raw.mode, 'mode');
  optionalBoolean(raw.backup, 'backup');
  const validate = optionalString(raw.validate, 'validate');
  if (validate !== undefined && !validate.includes('%s')) {
    throw new ModuleArgsError(`must contain %s, the path of the new file to check (e.g. 'visudo -cf %s'), got ${JSON.stringify(validate)}`, { field: 'validate' });
  }
}
