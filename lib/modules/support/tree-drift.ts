import { sameAccount, type WantedAttributes } from './attributes.ts';
import { formatMode, resolveMode } from './mode.ts';
import type { TreeEntryKind } from './probe.ts';

/**
 * What differs anywhere in a directory tree, from the distinct (type, mode, owner, group) kinds
 * its one `find` printed: one summary per attribute that must change, [] when none does.
 * Symbolic links have no mode (chmod -R skips them) but do have an owner (chown -R changes it).
 */
export function treeDrift(kinds: readonly TreeEntryKind[], wanted: WantedAttributes, umask: number): string[] {
  const owners = new Set<string>();
  const groups = new Set<string>();
  const modes = new Set<string>();
  for (const kind of kinds) {
    if (wanted.owner !== undefined && !sameAccount(wanted.owner, kind.owner, kind.uid)) owners.add(kind.owner);
    if (wanted.group !== undefined && !sameAccount(wanted.group, kind.group, kind.gid)) groups.add(kind.group);
    if (wanted.mode !== undefined && kind.type !== 'link') {
      const mode = resolveMode(wanted.mode, kind.mode, kind.type === 'directory', umask);
      if (mode !== kind.mode) modes.add(`${formatMode(kind.mode)} -> ${formatMode(mode)}`);
    }
  }
  const summaries: string[] = [];
  if (owners.size) summaries.push(`owner ${[...owners].sort().join('/')} -> ${wanted.owner}`);
  if (groups.size) summaries.push(`group ${[...groups].sort().join('/')} -> ${wanted.group}`);
  if (modes.size) summaries.push(`mode ${[...modes].sort().join(', ')}`);
  return summaries;
}
