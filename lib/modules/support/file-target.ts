import { optionalAccount, optionalBoolean, requireAbsolutePath } from './args.ts';
import type { ContentTarget } from './content-plan.ts';
import { parseMode } from './mode.ts';

/** Where and how copy and template write their one file. */
export interface FileTargetArgs {
  /** Absolute path of the file to write. */
  dest: string;
  owner?: string;
  group?: string;
  /** '0644', '644', '2755' or symbolic 'u=rw,g=r,o='; never a number. */
  mode?: string;
  /** Keep the old file as DEST.PID.YYYY-MM-DD@HH:MM:SS~ before overwriting it. */
  backup?: boolean;
  /** Create a missing parent directory with this mode (missing ancestors get the default mode); without it a missing parent is an error. */
  directoryMode?: string;
}

/** Validate the file target arguments (copy's and template's common part). */
export function validateFileTarget(raw: Record<string, unknown>): void {
  requireAbsolutePath(raw.dest, 'dest');
  optionalAccount(raw.owner, 'owner');
  optionalAccount(raw.group, 'group');
  if (raw.mode !== undefined) parseMode(raw.mode, 'mode');
  if (raw.directoryMode !== undefined) parseMode(raw.directoryMode, 'directoryMode');
  optionalBoolean(raw.backup, 'backup');
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
