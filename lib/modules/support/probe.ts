import { quote } from '../../shell.ts';
import { parseUmask } from './mode.ts';

/**
 * Facts about paths, gathered in ONE remote command: a tiny POSIX sh script that prints
 * `key=value` lines, and pure parsers for its output. Absence is data: the script exits 0 when a
 * path is missing. It needs GNU stat, find and sha256sum (coreutils/findutils, as on Debian).
 */

export type PathType = 'file' | 'directory' | 'link' | 'other';

export interface PresentPath {
  readonly type: PathType;
  /** Permission bits, setuid/setgid/sticky included (0o2755). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Names as the host resolves them (the id in digits when it has no name). */
  readonly owner: string;
  readonly group: string;
  readonly size: number;
  readonly inode: number;
  readonly device: number;
  /** For a symbolic link: what it points to, as written. */
  readonly target?: string;
  /** For a regular file when asked: its content's sha256, hex. */
  readonly sha256?: string;
}

export type PathState = { readonly type: 'absent' } | PresentPath;

/** Who the probe ran as and with which umask: decides default modes and whether to chown. */
export interface ProbeHeader {
  readonly umask: number;
  readonly uid: number;
  readonly gid: number;
}

/** One distinct (type, mode, owner, group) found under a directory tree. */
export interface TreeEntryKind {
  readonly type: 'file' | 'directory' | 'link' | 'other';
  readonly mode: number;
  readonly owner: string;
  readonly group: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * The umask and the effective uid/gid, with shell builtins only: the effective ids come from the
 * shell's own /proc/self/status (the second field of Uid:, then Gid:), `id` only where that is missing.
 * Forking `$(umask)`, `$(id -u)`, `$(id -g)` cost about 3 ms per probe on a busy host, and most
 * probes start with this header.
 */
export const HEADER_SCRIPT = [
  "printf 'umask='; umask",
  'ploy_uid=; ploy_gid=',
  'if [ -r /proc/self/status ]; then while read -r ploy_k ploy_real ploy_eff ploy_rest; do case $ploy_k in Uid:) ploy_uid=$ploy_eff ;; Gid:) ploy_gid=$ploy_eff; break ;; esac; done </proc/self/status; fi',
  '[ -n "$ploy_uid" ] && [ -n "$ploy_gid" ] || { ploy_uid=$(id -u); ploy_gid=$(id -g); }',
  'printf \'id=%s %s\\n\' "$ploy_uid" "$ploy_gid"',
].join('\n');

const STAT_FORMAT = '%a %u %g %U %G %s %i %d';

/**
 * A path only the host can tell: a shell expression, quoted by the caller (`"$ploy_home"/.ssh/x`).
 * The probe scripts use the variables p, t and h: name yours distinctly (ploy_...).
 */
export interface ShellPath {
  readonly shell: string;
}

/** The path as a word for the probe script: a string is quoted, a ShellPath is used as written. */
export function shellWord(path: string | ShellPath): string {
  return typeof path === 'string' ? quote(path) : path.shell;
}

/**
 * Script lines printing `KEY.type=` and, when present, `KEY.stat=`, `KEY.target=`, `KEY.sha256=`.
 * follow: a symbolic link is described by what it points to (a dangling one stays a link).
 */
export function pathProbeScript(key: string, path: string | ShellPath, options: { follow: boolean; sha256?: boolean }): string {
  if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new Error(`probe key ${key} must be a plain word`);
  const classify = options.follow
    ? `if [ -d "$p" ]; then t=directory; elif [ -f "$p" ]; then t=file; elif [ -e "$p" ]; then t=other; elif [ -L "$p" ]; then t=link; else t=absent; fi`
    : `if [ -L "$p" ]; then t=link; elif [ -d "$p" ]; then t=directory; elif [ -f "$p" ]; then t=file; elif [ -e "$p" ]; then t=other; else t=absent; fi`;
  const lines = [
    `p=${shellWord(path)}`,
    classify,
    `echo "${key}.type=$t"`,
    `case $t in`,
    `  absent) ;;`,
    `  link) stat -c '${key}.stat=${STAT_FORMAT}' -- "$p" && printf '${key}.target=%s\\n' "$(readlink -- "$p")" || exit 3 ;;`,
    `  *) stat -L -c '${key}.stat=${STAT_FORMAT}' -- "$p" || exit 3 ;;`,
    `esac`,
  ];
  if (options.sha256) {
    lines.push(`if [ $t = file ]; then h=$(sha256sum < "$p") || exit 3; echo "${key}.sha256=\${h%% *}"; fi`);
  }
  return lines.join('\n');
}

/** Lines `tree=TYPE MODE OWNER GROUP UID GID`, one per distinct kind of entry under a directory. */
export function treeProbeScript(path: string): string {
  return `if [ -d ${quote(path)} ]; then find -H ${quote(path)} -printf 'tree=%y %m %u %g %U %G\\n' | sort -u; fi`;
}

/** Split probe output into its `key=value` lines (the value is everything after the first =). */
export function parseProbeOutput(stdout: string): Map<string, string[]> {
  const facts = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    const list = facts.get(key) ?? [];
    list.push(line.slice(at + 1));
    facts.set(key, list);
  }
  return facts;
}

export function readHeader(facts: Map<string, string[]>): ProbeHeader {
  const umask = facts.get('umask')?.[0];
  const id = facts.get('id')?.[0]?.split(' ');
  if (umask === undefined || id?.length !== 2) throw new Error('probe output lacks its umask/id header');
  return { umask: parseUmask(umask), uid: Number(id[0]), gid: Number(id[1]) };
}

export function readPathState(facts: Map<string, string[]>, key: string): PathState {
  const type = facts.get(`${key}.type`)?.[0];
  if (type === 'absent') return { type: 'absent' };
  if (type !== 'file' && type !== 'directory' && type !== 'link' && type !== 'other') {
    throw new Error(`probe output has no valid ${key}.type (got ${JSON.stringify(type)})`);
  }
  const stat = facts.get(`${key}.stat`)?.[0]?.split(' ');
  if (!stat || stat.length !== 8) throw new Error(`probe output has no valid ${key}.stat line`);
  const [mode, uid, gid, owner, group, size, inode, device] = stat as [string, string, string, string, string, string, string, string];
  const target = facts.get(`${key}.target`)?.[0];
  const sha256 = facts.get(`${key}.sha256`)?.[0];
  return {
    type,
    mode: parseInt(mode, 8),
    uid: Number(uid),
    gid: Number(gid),
    owner,
    group,
    size: Number(size),
    inode: Number(inode),
    device: Number(device),
    ...(target !== undefined ? { target } : {}),
    ...(sha256 ? { sha256 } : {}),
  };
}

const FIND_TYPES: Record<string, TreeEntryKind['type']> = { f: 'file', d: 'directory', l: 'link' };

export function readTree(facts: Map<string, string[]>): TreeEntryKind[] {
  return (facts.get('tree') ?? []).map((line) => {
    const [type, mode, owner, group, uid, gid] = line.split(' ');
    if (gid === undefined) throw new Error(`unexpected tree probe line ${JSON.stringify(line)}`);
    return {
      type: FIND_TYPES[type ?? ''] ?? 'other',
      mode: parseInt(mode ?? '', 8),
      owner: owner ?? '',
      group: group ?? '',
      uid: Number(uid),
      gid: Number(gid),
    };
  });
}
