import { createHash } from 'node:crypto';
import { TaskFailedError } from '../../errors.ts';
import { shellWord, type ShellPath } from './probe.ts';
import { decodeUtf8 } from './remote-read.ts';

/** Modules that edit a file line by line read at most this much; a bigger file is an error, not a slow edit. */
export const TEXT_EDIT_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * Script lines printing `KEY.text=BASE64` with a regular file's content, in the same round trip
 * as the rest of a module's probe; nothing when the path is not a regular file (a symbolic link is
 * not followed), `KEY.toolarge=SIZE` when it is over the limit. Base64 keeps the line-based probe
 * output parseable whatever the file holds.
 */
export function textProbeScript(key: string, path: string | ShellPath): string {
  if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new Error(`probe key ${key} must be a plain word`);
  const p = shellWord(path);
  return [
    `if [ -f ${p} ] && [ ! -L ${p} ]; then`,
    `  ploy_size=$(stat -c %s -- ${p}) || exit 3`,
    `  if [ "$ploy_size" -gt ${TEXT_EDIT_LIMIT_BYTES} ]; then echo "${key}.toolarge=$ploy_size"; else printf '${key}.text='; base64 -w0 < ${p} || exit 3; echo; fi`,
    'fi',
  ].join('\n');
}

/**
 * The file's text from the probe: undefined when it is not a regular file. A file over the limit,
 * or one that is not UTF-8, is an error naming `path`; `notText` says what to do instead.
 */
export function readProbedText(facts: Map<string, string[]>, key: string, path: string, notText: string): string | undefined {
  const size = facts.get(`${key}.toolarge`)?.[0];
  if (size !== undefined) {
    throw new TaskFailedError(`${path} is too large to edit line by line (${size} bytes, limit ${TEXT_EDIT_LIMIT_BYTES}); use copy or template for whole files`);
  }
  const encoded = facts.get(`${key}.text`)?.[0];
  return encoded === undefined ? undefined : decodeUtf8(Buffer.from(encoded, 'base64'), path, notText);
}

/**
 * `PATH_KEY.sha256` from the text a text probe read, for a content probe run with sha256: false
 * on the same file (one sha256sum process less per probe; the digest is of the very bytes read).
 */
export function digestTextProbe(facts: Map<string, string[]>, textKey: string, pathKey: string): void {
  const encoded = facts.get(`${textKey}.text`)?.[0];
  if (encoded === undefined || facts.has(`${pathKey}.sha256`)) return;
  facts.set(`${pathKey}.sha256`, [createHash('sha256').update(Buffer.from(encoded, 'base64')).digest('hex')]);
}
