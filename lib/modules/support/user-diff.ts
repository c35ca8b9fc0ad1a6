import { createHash } from 'node:crypto';
import { reveal, type Secret } from '../../secret.ts';
import { quote } from '../../shell.ts';
import { parsePasswdLine } from './account-args.ts';

/** What one probe tells about a user account and the groups a call names. */
export interface UserFacts {
  readonly entry?: ReturnType<typeof parsePasswdLine>;
  /** Primary group name. */
  readonly primary?: string;
  /** Supplementary group names (the primary group left out). */
  readonly groups?: string[];
  /** sha256 of the shadow password field; 'unreadable' when /etc/shadow could not be read. */
  readonly shadowSha256?: string;
  /** Which of the named groups exist. */
  readonly knownGroups: ReadonlySet<string>;
  /** The user holding the wanted uid, if any. */
  readonly uidOwner?: string;
}

/** The part of the user module's arguments that describes the account. */
export interface UserWanted {
  readonly name: string;
  readonly uid?: number | undefined;
  readonly group?: string | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly append?: boolean | undefined;
  readonly shell?: string | undefined;
  readonly home?: string | undefined;
  readonly comment?: string | undefined;
  readonly password?: string | Secret | undefined;
  readonly updatePassword?: 'always' | 'onCreate' | undefined;
}

/** usermod's options and the lines saying what they change. */
export interface UserModification {
  readonly options: string[];
  readonly summaries: string[];
  /** The password hash must be set (through chpasswd's stdin, never a command line). */
  readonly setPassword: boolean;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One probe: the passwd entry, primary and supplementary groups, the shadow field's hash, which groups exist, who has the uid. */
export function userProbeScript(wanted: UserWanted, groupNames: readonly string[], withShadow: boolean): string {
  const n = quote(wanted.name);
  const lines = [`if e=$(getent passwd ${n}); then`, `  printf 'passwd=%s\\n' "$e"`, `  printf 'primary=%s\\n' "$(id -gn ${n})"`, `  printf 'groups=%s\\n' "$(id -Gn ${n})"`];
  if (withShadow) {
    lines.push(`  if s=$(getent shadow ${n}); then s=\${s#*:}; printf 'shadow=%s\\n' "$(printf '%s' "\${s%%:*}" | sha256sum | cut -d' ' -f1)"; else echo shadow=unreadable; fi`);
  }
  lines.push('fi');
  for (const name of groupNames) lines.push(`if getent group ${quote(name)} >/dev/null; then echo known=${quote(name)}; fi`);
  if (wanted.uid !== undefined) lines.push(`if o=$(getent passwd ${wanted.uid}); then printf 'uidOwner=%s\\n' "\${o%%:*}"; fi`);
  return lines.join('\n');
}

export function parseUserFacts(facts: Map<string, string[]>): UserFacts {
  const passwd = facts.get('passwd')?.[0];
  const entry = passwd === undefined ? undefined : parsePasswdLine(passwd);
  const primary = facts.get('primary')?.[0];
  const all = (facts.get('groups')?.[0] ?? '').split(' ').filter((g) => g !== '');
  const shadow = facts.get('shadow')?.[0];
  const uidOwner = facts.get('uidOwner')?.[0];
  return {
    ...(entry ? { entry, groups: [...new Set(all.filter((g) => g !== primary))] } : {}),
    ...(primary !== undefined ? { primary } : {}),
    ...(shadow !== undefined ? { shadowSha256: shadow } : {}),
    ...(uidOwner !== undefined ? { uidOwner } : {}),
    knownGroups: new Set(facts.get('known') ?? []),
  };
}

/** What usermod must change on an existing account; groups follow Ansible's append semantics. */
export function userModification(facts: UserFacts, wanted: UserWanted): UserModification {
  const entry = facts.entry;
  if (!entry) throw new Error('userModification needs an existing account');
  const options: string[] = [];
  const summaries: string[] = [];
  if (wanted.uid !== undefined && wanted.uid !== entry.uid) {
    options.push('-u', String(wanted.uid));
    summaries.push(`uid ${entry.uid} -> ${wanted.uid}`);
  }
  if (wanted.group !== undefined && wanted.group !== facts.primary && wanted.group !== String(entry.gid)) {
    options.push('-g', wanted.group);
    summaries.push(`group ${facts.primary ?? entry.gid} -> ${wanted.group}`);
  }
  if (wanted.groups !== undefined) {
    const current = new Set(facts.groups ?? []);
    const primary = wanted.group ?? facts.primary;
    const desired = wanted.groups.filter((g) => g !== primary);
    const added = desired.filter((g) => !current.has(g));
    const removed = wanted.append ? [] : [...current].filter((g) => !desired.includes(g));
    if (added.length || removed.length) {
      if (wanted.append) options.push('-a', '-G', added.join(','));
      else options.push('-G', desired.join(','));
      summaries.push(`groups ${[...added.map((g) => `+${g}`), ...removed.map((g) => `-${g}`)].join(' ')}`);
    }
  }
  if (wanted.shell !== undefined && wanted.shell !== entry.shell) {
    options.push('-s', wanted.shell);
    summaries.push(`shell ${entry.shell || '(none)'} -> ${wanted.shell}`);
  }
  if (wanted.home !== undefined && wanted.home !== entry.home) {
    options.push('-d', wanted.home);
    summaries.push(`home ${entry.home} -> ${wanted.home} (not moved)`);
  }
  if (wanted.comment !== undefined && wanted.comment !== entry.comment) {
    options.push('-c', wanted.comment);
    summaries.push(`comment ${JSON.stringify(entry.comment)} -> ${JSON.stringify(wanted.comment)}`);
  }
  const setPassword = wanted.password !== undefined && wanted.updatePassword !== 'onCreate' && facts.shadowSha256 !== sha256Hex(reveal(wanted.password));
  if (setPassword) summaries.push('password hash changed');
  return { options, summaries, setPassword };
}

/** useradd's options for a new account; createHome true gives -m, false -M. */
export function userAddOptions(facts: UserFacts, wanted: UserWanted, createHome: boolean, system: boolean): string[] {
  const options: string[] = [];
  if (wanted.uid !== undefined) options.push('-u', String(wanted.uid));
  // Debian's useradd refuses to make the user's own group when one of that name exists: join it instead.
  const group = wanted.group ?? (facts.knownGroups.has(wanted.name) ? wanted.name : undefined);
  if (group !== undefined) options.push('-g', group);
  const groups = (wanted.groups ?? []).filter((g) => g !== group);
  if (groups.length) options.push('-G', groups.join(','));
  if (wanted.shell !== undefined) options.push('-s', wanted.shell);
  if (wanted.home !== undefined) options.push('-d', wanted.home);
  if (wanted.comment !== undefined) options.push('-c', wanted.comment);
  if (system) options.push('-r');
  options.push(createHome ? '-m' : '-M');
  return options;
}
