import { quote } from '../../shell.ts';
import { chownSpec } from './attributes.ts';
import { fetcherScript, retryingFetch } from './download-script.ts';
import { chmodArgument, type ModeSpec } from './mode.ts';

export type ArchiveFormat = 'tar' | 'zip';

/** Where the archive comes from: the script's stdin, a file on the host, or a download on the host. */
export type ArchiveSource =
  | { readonly kind: 'stdin' }
  | { readonly kind: 'remote'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string; readonly sha256: string; readonly timeoutS: number; readonly retries: number };

export interface UnarchiveJob {
  readonly source: ArchiveSource;
  readonly format: ArchiveFormat;
  readonly dest: string;
  readonly include: readonly string[];
  readonly extraOpts: readonly string[];
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  readonly mode?: ModeSpec | undefined;
  /** false: only report the entries that differ (`differs=PATH` lines); true: also put them in place. */
  readonly install: boolean;
}

/** Exit codes beyond those of the download pieces (4 download failed, 5 sha256 differs). */
export const EXTRACT_FAILED = 6;
export const DIRECTORY_IN_THE_WAY = 7;
export const NO_DEST = 8;
export const NO_UNZIP = 9;
export const NO_REMOTE_SRC = 10;
export const PRECONDITION_CODES: readonly number[] = [NO_DEST, NO_UNZIP, NO_REMOTE_SRC];

/** A command that exits NO_DEST, NO_UNZIP or NO_REMOTE_SRC when the extraction cannot start. */
export function preconditionScript(p: { dest: string; format: ArchiveFormat; remoteSrc?: string | undefined }): string {
  const checks = [`[ -d ${quote(p.dest)} ] || exit ${NO_DEST}`];
  if (p.format === 'zip') checks.push(`command -v unzip >/dev/null 2>&1 || exit ${NO_UNZIP}`);
  if (p.remoteSrc !== undefined) checks.push(`[ -f ${quote(p.remoteSrc)} ] || exit ${NO_REMOTE_SRC}`);
  return checks.join('; ');
}

/** The archive's format from its file name or URL path. */
export function archiveFormat(name: string): ArchiveFormat | undefined {
  const path = name.replace(/[?#].*$/, '').toLowerCase();
  if (path.endsWith('.zip')) return 'zip';
  if (/\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar\.zst)$/.test(path)) return 'tar';
  return undefined;
}

/**
 * One remote command: stage the archive (private temp file), extract it into a private temp dir
 * INSIDE dest (mktemp -d is 0700, so nothing is visible before it is in place), give the entries
 * the asked owner/group/mode, and compare each with dest (type, content, mode, owner). With
 * install, each differing file or link is then renamed into place (atomic per file) and each
 * differing directory created or given its attributes. Prints `differs=PATH` per entry. The temp
 * files go on any exit.
 */
export function unarchiveScript(job: UnarchiveJob): string {
  const dest = quote(job.dest);
  const lines = [
    'um=$(umask)',
    'umask 077',
    'arc= x= list= hdr= wrc=',
    `trap 'rm -f -- "$list" "$hdr" "$wrc"; [ -z "$x" ] || rm -rf -- "$x"; [ "$owned" != 1 ] || rm -f -- "$arc"' EXIT`,
    `trap 'exit 129' HUP INT TERM`,
    'owned=0',
    `( ${preconditionScript({ dest: job.dest, format: job.format, remoteSrc: job.source.kind === 'remote' ? job.source.path : undefined })} ) || exit $?`,
    ...stage(job.source),
    'list=$(mktemp) || exit 3',
    `x=$(mktemp -d -- ${quote(`${job.dest.replace(/\/+$/, '')}/.ploy-unarchive-XXXXXXXX`)}) || exit 3`,
    // Extract with the login's umask, as extracting straight into dest would.
    'umask "$um"',
    `${extractCommand(job)} || exit ${EXTRACT_FAILED}`,
    ...attributeLines(job),
    `dest=${dest}`,
    'cd "$x" || exit 3',
    'find . -mindepth 1 | while IFS= read -r f; do',
    '  f=${f#./}; d="$dest/$f"',
    '  if [ -L "$f" ]; then',
    '    { [ -L "$d" ] && [ "$(readlink -- "$f")" = "$(readlink -- "$d")" ]; } || printf \'differs=%s\\n\' "$f"',
    '    continue',
    '  elif [ -d "$f" ]; then',
    '    { [ -d "$d" ] && [ ! -L "$d" ]; } || { printf \'differs=%s\\n\' "$f"; continue; }',
    '  else',
    '    { [ -f "$d" ] && [ ! -L "$d" ] && cmp -s -- "$f" "$d"; } || { printf \'differs=%s\\n\' "$f"; continue; }',
    '  fi',
    `  [ "$(stat -c '%a %u %g' -- "$f")" = "$(stat -c '%a %u %g' -- "$d")" ] || printf 'differs=%s\\n' "$f"`,
    'done > "$list" || exit 3',
    'cat "$list"',
  ];
  if (job.install) {
    lines.push(
      'sed -n "s/^differs=//p" "$list" | while IFS= read -r f; do',
      '  d="$dest/$f"',
      '  if [ -d "$f" ] && [ ! -L "$f" ]; then',
      '    if [ ! -d "$d" ] || [ -L "$d" ]; then rm -f -- "$d" && mkdir -- "$d" || exit 3; fi',
      '    chown --reference="$f" -- "$d" && chmod --reference="$f" -- "$d" || exit 3',
      '  else',
      `    if [ -d "$d" ] && [ ! -L "$d" ]; then echo "cannot replace the directory $d with a file from the archive" >&2; exit ${DIRECTORY_IN_THE_WAY}; fi`,
      '    mv -fT -- "$f" "$d" || exit 3',
      '  fi',
      'done || exit $?',
    );
  }
  lines.push('cd / && rm -rf -- "$x" && x=');
  return lines.join('\n');
}

function stage(source: ArchiveSource): string[] {
  switch (source.kind) {
    case 'stdin':
      return ['arc=$(mktemp) && owned=1 || exit 3', 'cat > "$arc" || exit 3'];
    case 'remote':
      return [`arc=${quote(source.path)}`];
    case 'url':
      return [
        fetcherScript({ timeoutS: source.timeoutS }),
        'arc=$(mktemp) && owned=1 || exit 3',
        retryingFetch(source.url, '"$arc"', source.retries),
        'got=$(sha256sum < "$arc") || exit 3',
        'got=${got%% *}',
        `if [ "$got" != ${source.sha256} ]; then echo "actual=$got"; exit 5; fi`,
      ];
  }
}

function extractCommand(job: UnarchiveJob): string {
  const extra = job.extraOpts.map((o) => quote(o)).join(' ');
  const include = job.include.map((i) => quote(i)).join(' ');
  if (job.format === 'zip') return `unzip -q -o ${extra} "$arc" ${include} -d "$x" >&2`;
  return `tar -x -f "$arc" -C "$x" ${extra} ${include ? `-- ${include}` : ''}`;
}

function attributeLines(job: UnarchiveJob): string[] {
  const lines: string[] = [];
  const spec = chownSpec(job.owner, job.group);
  if (spec !== undefined) lines.push(`find "$x" -mindepth 1 -exec chown -h -- ${quote(spec)} {} + || exit 3`);
  if (job.mode !== undefined) lines.push(`find "$x" -mindepth 1 ! -type l -exec chmod -- ${quote(chmodArgument(job.mode))} {} + || exit 3`);
  return lines;
}
