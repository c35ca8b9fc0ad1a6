import { optionalAccount, optionalBoolean, requireAbsolutePath } from './args.ts';
import { optional, required, type ArgsFrom } from './schema.ts';
import type { ContentTarget } from './content-plan.ts';
import { parseMode } from './mode.ts';

/** Where and how copy and template write their one file. */
export const fileTargetArgs = {
  dest: required('string', requireAbsolutePath, 'Absolute path of the file to write.'),
  owner: optional('string', (value) => optionalAccount(value, 'owner'), 'Owner: a user name or a numeric id as a string.'),
  group: optional('string', (value) => optionalAccount(value, 'group'), 'Group: a group name or a numeric id as a string.'),
  mode: optional('string', modeString, "'0644', '644', '2755' or symbolic 'u=rw,g=r,o='; never a number."),
  backup: optional('boolean', optionalBoolean, 'Keep the old file as DEST.PID.YYYY-MM-DD@HH:MM:SS~ before overwriting it.'),
  directoryMode: optional('string', modeString, 'Create a missing parent directory with this mode (missing ancestors get the default mode); without it a missing parent is an error.'),
};

export type FileTargetArgs = ArgsFrom<typeof fileTargetArgs>;

/** A mode as file, copy and the others take it: checked here, parsed where it is used. */
export function modeString(value: unknown, field: string): string {
  parseMode(value, field);
  return value as string;
}

/** The content planner's target: DEST as the arguments describe it, holding exactly this content. */
export function contentTarget(args: FileTargetArgs, content: ContentTarget['content']): ContentTarget {
  return {
    dest: args.dest,
    content,
    owner: args.owner,
    group: args.group,
    mode: args.mode === undefined ? undefined : parseMode(args.mode),
    backup: args.backup,
    directoryMode: args.directoryMode === undefined ? undefined : parseMode(args.directoryMode, 'directoryMode'),
  };
}
