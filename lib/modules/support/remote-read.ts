import { describeExit } from '../../connection/connection.ts';
import { CommandError, TaskFailedError } from '../../errors.ts';
import type { ModuleContext } from '../../module.ts';
import { quote } from '../../shell.ts';
import { parseProbeOutput } from './probe.ts';

/** fetch and slurp read at most this much from a host (base64 on one line of stdout). */
export const REMOTE_READ_LIMIT_BYTES = 32 * 1024 * 1024;

export type RemoteFile = { readonly type: 'file'; readonly content: Buffer } | { readonly type: 'absent' };

/**
 * Read a whole remote file in one round trip (links followed), binary-safe. A directory, a
 * device or a file over the limit is an error naming it; a missing file is data.
 * secretOutput: the content is a secret, so the command's output must never be echoed. It only
 * reads: a probe (one with secretOutput is never batched, but marks no change either).
 */
export async function readRemoteFile(ctx: ModuleContext, path: string, options: { secretOutput?: boolean; limit?: number } = {}): Promise<RemoteFile> {
  const limit = options.limit ?? REMOTE_READ_LIMIT_BYTES;
  const script = [
    `p=${quote(path)}`,
    'if [ ! -e "$p" ]; then echo type=absent; exit 0; fi',
    'if [ -d "$p" ]; then echo type=directory; exit 0; fi',
    'if [ ! -f "$p" ]; then echo type=other; exit 0; fi',
    's=$(stat -L -c %s -- "$p") || exit 3',
    'echo "size=$s"',
    `if [ "$s" -gt ${limit} ]; then echo type=toolarge; exit 0; fi`,
    'echo type=file',
    `printf 'content='; base64 -w0 -- "$p" || exit 3; echo`,
  ].join('\n');
  const result = await ctx.exec(script, { probe: true, ...(options.secretOutput ? { secretOutput: true } : {}) });
  if (result.code !== 0)
    throw new CommandError(
      script,
      options.secretOutput ? { ...result, stdout: '' } : result,
      `reading ${path} failed (${describeExit(result)})${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`,
    );
  const facts = parseProbeOutput(result.stdout);
  const type = facts.get('type')?.[0];
  if (type === 'absent') return { type: 'absent' };
  if (type === 'directory') throw new TaskFailedError(`${path} is a directory, not a file to read`);
  if (type === 'other') throw new TaskFailedError(`${path} is not a regular file (a device, socket or fifo)`);
  if (type === 'toolarge') throw new TaskFailedError(`${path} is too large to read (${facts.get('size')?.[0]} bytes, limit ${limit})`);
  if (type !== 'file') throw new Error(`reading ${path}: unexpected probe output`);
  return { type: 'file', content: Buffer.from(facts.get('content')?.[0] ?? '', 'base64') };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as UTF-8 text, or an error saying what to use instead. */
export function decodeUtf8(bytes: Buffer, what: string, instead: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new TaskFailedError(`${what} is not UTF-8 text; ${instead}`);
  }
}
