import { lazyPackage } from '../../lazy.ts';
import { mask } from '../../secret.ts';

const loadDiff = lazyPackage<typeof import('diff')>('diff', () => require('diff'));

/** Files larger than this are not fetched nor diffed. */
export const DIFF_LIMIT_BYTES = 256 * 1024;

/** A NUL byte or bytes that are not UTF-8 (decoded as U+FFFD) make content binary for diffing. */
export function looksBinary(content: Buffer | string): boolean {
  if (typeof content === 'string') return content.includes('\0') || content.includes('\uFFFD');
  if (content.subarray(0, 8192).includes(0)) return true;
  return content.toString('utf8').includes('\uFFFD');
}

export interface DiffSide {
  /** null: the file does not exist on this side. */
  readonly text: string | null;
  readonly size: number;
}

/**
 * A unified diff of a file's content for --diff, with secrets masked. When the new content holds
 * a secret, every removed line is hidden too: the old file may hold an older secret that is not
 * known as one. Binary or huge content gets a one-line note instead.
 */
export function contentDiff(path: string, before: DiffSide, after: DiffSide, options: { secretBearing: boolean }): string {
  if (before.size > DIFF_LIMIT_BYTES || after.size > DIFF_LIMIT_BYTES) {
    return `${path}: binary/large file differs (${before.text === null ? 'new file, ' : ''}${after.size} bytes, limit for diffs ${DIFF_LIMIT_BYTES})\n`;
  }
  if ((before.text !== null && looksBinary(before.text)) || (after.text !== null && looksBinary(after.text))) {
    return `${path}: binary/large file differs (${before.text === null ? 'new file, ' : ''}${after.size} bytes)\n`;
  }
  const oldText = mask(before.text ?? '');
  const newText = mask(after.text ?? '');
  const patch = loadDiff().createTwoFilesPatch(before.text === null ? '/dev/null' : path, after.text === null ? '/dev/null' : path, oldText, newText, 'before', 'after');
  const body = patch.replace(/^(Index: .*\n)?=+\n/, '');
  if (!options.secretBearing) return body;
  let inHunks = false;
  return body
    .split('\n')
    .map((line) => {
      inHunks ||= line.startsWith('@@');
      return inHunks && line.startsWith('-') ? '-*** (old line hidden: this file holds secrets)' : line;
    })
    .join('\n');
}
