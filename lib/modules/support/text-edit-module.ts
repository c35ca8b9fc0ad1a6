import { ModuleArgsError } from '../../errors.ts';
import { defineModule, type Module } from '../../module.ts';
import { optionalBoolean, optionalString, requireAbsolutePath } from './args.ts';
import { fileTargetArgs } from './file-target.ts';
import { parseMode } from './mode.ts';
import { choice, choiceType, optional, PRESENCE, required, type ArgsFrom, type ArgsSchema } from './schema.ts';
import { planTextEdit, type TextEditData } from './text-file-edit.ts';

/** The arguments lineinfile and blockinfile share: the file, where to insert, and how to write it. */
/** What a text edit works on, first in each module's arguments. */
export const textEditTarget = {
  path: required('string', requireAbsolutePath, 'The file to edit (a symbolic link is followed).'),
  state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: the line or block is in the file; absent: it is removed.', "'present'"),
};

/** How the edited file is written, after each module's own arguments. */
export const textEditFileArgs = {
  create: optional('boolean', optionalBoolean, 'Create the file (and its directory) when missing; otherwise a missing file is an error.', 'false'),
  backup: optional('boolean', optionalBoolean, 'Keep the old file as PATH.PID.YYYY-MM-DD@HH:MM:SS~ before changing it.'),
  validate: optional('string', validateCommand, "A command that must accept the new file, %s being its temp path ('visudo -cf %s')."),
  owner: fileTargetArgs.owner,
  group: fileTargetArgs.group,
  mode: fileTargetArgs.mode,
};

/** What the shared arguments give, with the insert position each module documents in its own words. */
export type TextEditArgs = ArgsFrom<typeof textEditTarget & typeof textEditFileArgs> & { insertAfter?: string; insertBefore?: string };

export type TextEditState = 'present' | 'absent';

/** What makes lineinfile lineinfile (or blockinfile blockinfile): its arguments and its edit. */
export interface TextEditModuleSpec<A extends TextEditArgs, E, R extends TextEditData> {
  name: string;
  /** Its arguments: textEditTarget, its own, then textEditFileArgs; the rules across them including checkInsertPosition. */
  schema: ArgsSchema<A>;
  /** The edit from valid arguments (patterns compiled once, at validate). */
  compile(args: A, state: TextEditState): E;
  /** The new text; current is null when the file does not exist yet (never with state absent). */
  edit(current: string | null, compiled: E): { text: string; msg: string; data?: Partial<R> };
}

/** Insert after or before a line, not both. */
export function checkInsertPosition(args: { insertAfter?: string; insertBefore?: string }): void {
  if (args.insertAfter !== undefined && args.insertBefore !== undefined) {
    throw new ModuleArgsError('insertAfter and insertBefore cannot be used together', { field: 'insertBefore' });
  }
}

function validateCommand(value: unknown, field: string): string | undefined {
  const validate = optionalString(value, field);
  if (validate !== undefined && !validate.includes('%s')) {
    throw new ModuleArgsError(`must contain %s, the path of the new file to check (e.g. 'visudo -cf %s'), got ${JSON.stringify(validate)}`, { field });
  }
  return validate;
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

    schema: spec.schema,

    validate(args) {
      spec.schema.validate(args);
      const state = args.state ?? 'present';
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
