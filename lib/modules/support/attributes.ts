import { quote } from '../../shell.ts';
import { chmodArgument, formatMode, resolveMode, type ModeSpec } from './mode.ts';
import type { PresentPath, ProbeHeader } from './probe.ts';

/** The owner, group and mode a module was asked for; absent fields are left as they are. */
export interface WantedAttributes {
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  readonly mode?: ModeSpec | undefined;
}

/** What must change on an existing path, as summary lines and the values to set. */
export interface AttributeDrift {
  readonly summaries: string[];
  readonly owner?: string;
  readonly group?: string;
  readonly mode?: number;
}

/** A wanted owner or group given as digits is compared with the id, a name with the name. */
export function sameAccount(wanted: string, name: string, id: number): boolean {
  return /^\d+$/.test(wanted) ? Number(wanted) === id : wanted === name;
}

/** Compare a path's owner, group and mode with the wanted ones. Links have no mode of their own. */
export function attributeDrift(state: PresentPath, wanted: WantedAttributes, header: ProbeHeader): AttributeDrift {
  const summaries: string[] = [];
  const drift: { owner?: string; group?: string; mode?: number } = {};
  if (wanted.owner !== undefined && !sameAccount(wanted.owner, state.owner, state.uid)) {
    summaries.push(`owner ${state.owner} -> ${wanted.owner}`);
    drift.owner = wanted.owner;
  }
  if (wanted.group !== undefined && !sameAccount(wanted.group, state.group, state.gid)) {
    summaries.push(`group ${state.group} -> ${wanted.group}`);
    drift.group = wanted.group;
  }
  if (wanted.mode !== undefined && state.type !== 'link') {
    const mode = resolveMode(wanted.mode, state.mode, state.type === 'directory', header.umask);
    if (mode !== state.mode) {
      summaries.push(`mode ${formatMode(state.mode)} -> ${formatMode(mode)}`);
      drift.mode = mode;
    }
  }
  return { summaries, ...drift };
}

/** `owner:group`, `owner` or `:group` for chown, or undefined when neither is set. */
export function chownSpec(owner: string | undefined, group: string | undefined): string | undefined {
  if (owner === undefined && group === undefined) return undefined;
  return `${owner ?? ''}${group !== undefined ? `:${group}` : ''}`;
}

/**
 * Shell lines that set owner/group and mode on a path (or on "$tmp" when target is a shell
 * expression already quoted). noDereference changes a symbolic link itself (chown -h).
 */
export function attributeCommands(
  target: string,
  set: { owner?: string | undefined; group?: string | undefined; mode?: number | undefined },
  options: { noDereference?: boolean; quoted?: boolean } = {},
): string[] {
  const path = options.quoted ? target : quote(target);
  const lines: string[] = [];
  const spec = chownSpec(set.owner, set.group);
  if (spec !== undefined) lines.push(`chown ${options.noDereference ? '-h ' : ''}-- ${quote(spec)} ${path}`);
  if (set.mode !== undefined) lines.push(`chmod -- ${chmodArgument(set.mode)} ${path}`);
  return lines;
}
