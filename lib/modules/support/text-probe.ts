import { TaskFailedError } from '../../errors.ts';
import { shellWord, type ShellPath } from './probe.ts';

/** Files larger than this are not read by a probe: a module editing lines of a config file refuses them. */
export const TEXT_PROBE_LIMIT = 1024 * 1024;

/**
 * Script lines printing `KEY.text=BASE64` with a regular file's content, in the same round trip
 * as the rest of a probe; nothing when the path is not a regular file, `KEY.text=!large` when it
 * is over the limit. Base64 keeps the line-based probe output parseable whatever the file holds.
 */
export function textProbeScript(key: string, path: string | ShellPath, limit = TEXT_PROBE_LIMIT): string {
  if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new Error(`probe key ${key} must be a plain word`);
  const p = shellWord(path);
  return [
    `if [ -f ${p} ] && [ ! -L ${p} ]; then`,
    `  if [ "$(stat -c %s -- ${p})" -gt ${limit} ]; then echo "${key}.text=!large"; else printf '${key}.text=%s\\n' "$(base64 -w0 < ${p})" || exit 3; fi`,
    'fi',
  ].join('\n');
}

/** The file's text from the probe: undefined when it is not a regular file; throws when over the limit. */
export function readProbedText(facts: Map<string, string[]>, key: string, what: string): string | undefined {
  const encoded = facts.get(`${key}.text`)?.[0];
  if (encoded === undefined) return undefined;
  if (encoded === '!large') throw new TaskFailedError(`${what} is larger than ${TEXT_PROBE_LIMIT} bytes; refusing to edit it line by line`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}
