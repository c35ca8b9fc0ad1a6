import { quote } from '../../shell.ts';
import { attributeCommands } from './attributes.ts';
import { chmodArgument } from './mode.ts';

export interface AtomicWrite {
  readonly dest: string;
  /**
   * How many bytes standard input brings. Fewer (the connection dropped mid-upload, so the remote
   * side saw end-of-file early) fails the write and leaves DEST unchanged.
   */
  readonly size: number;
  /** The final mode, set on the temp file before any byte is written. */
  readonly mode: number;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  /** Keep the old file as DEST.PID.YYYY-MM-DD@HH:MM:SS~ (printed as `backup=PATH`). */
  readonly backup?: boolean | undefined;
  /** Create the missing parent directory (and its parents) first, with this mode. */
  readonly createParentMode?: number | undefined;
  /** A command that must accept the temp file before the rename; %s is its path ('visudo -cf %s'). */
  readonly validate?: string | undefined;
}

export function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

/**
 * One remote command that writes its standard input to DEST atomically: a temp file in the same
 * directory (umask 077, so private from birth) is opened, given its final owner and mode, filled,
 * checked to hold exactly `size` bytes, then renamed over DEST. The temp file is removed on any
 * failure or signal (a vanished controller means SIGHUP or SIGPIPE), so DEST is never half-written
 * nor, even briefly, more readable than asked.
 */
export function atomicWriteCommand(write: AtomicWrite): string {
  const dir = parentOf(write.dest);
  const dest = quote(write.dest);
  const lines = ['set -e'];
  if (write.createParentMode !== undefined) {
    lines.push(`mkdir -p -- ${quote(dir)}`, `chmod -- ${chmodArgument(write.createParentMode)} ${quote(dir)}`);
  }
  lines.push(
    'umask 077',
    `tmp=$(mktemp -- ${quote(`${dir === '/' ? '' : dir}/.ploy-XXXXXXXX`)})`,
    `trap 'rm -f -- "$tmp"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    // The descriptor is opened while the file is still ours and writable, whatever its final mode.
    `exec 3>"$tmp"`,
    ...attributeCommands('"$tmp"', { owner: write.owner, group: write.group, mode: write.mode }, { quoted: true }),
    'cat >&3',
    'exec 3>&-',
    `n=$(stat -c %s -- "$tmp")`,
    `if [ "$n" != ${write.size} ]; then echo "received $n of ${write.size} bytes (was the connection cut?);" ${quote(`${write.dest} left unchanged`)} >&2; exit 4; fi`,
  );
  if (write.validate !== undefined) {
    const check = write.validate.split('%s').join('"$tmp"');
    lines.push(`if ! ( ${check} ) >&2; then echo ${quote(`validation failed (${write.validate}); ${write.dest} left unchanged`)} >&2; exit 3; fi`);
  }
  if (write.backup) {
    lines.push(`if [ -f ${dest} ]; then`, `  b=${dest}.$$.$(date +%Y-%m-%d@%H:%M:%S)~`, `  ln -- ${dest} "$b" 2>/dev/null || cp -p -- ${dest} "$b"`, `  echo "backup=$b"`, 'fi');
  }
  lines.push(`mv -fT -- "$tmp" ${dest}`, 'trap - EXIT');
  return lines.join('\n');
}
