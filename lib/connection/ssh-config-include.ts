import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../errors.ts';
import { globMatcher } from '../inventory/host-pattern.ts';
import type { SshConfigLine } from './ssh-config-file.ts';

/**
 * The files one `Include` argument names, as OpenSSH finds them for a user config: `~` is the
 * home directory, a relative path lives in ~/.ssh (not beside the including file), and `*`, `?`
 * and `[...]` are expanded like glob(3): per path component, a leading dot only matched by a
 * pattern that starts with one, the matches sorted. A path or pattern that matches nothing is no
 * error (ssh ignores it too).
 */
export function includedFiles(argument: string, home: string, from: SshConfigLine): string[] {
  let path: string;
  if (argument === '~' || argument.startsWith('~/')) path = join(home, argument.slice(1));
  else if (argument.startsWith('~')) throw new InputError(`ssh config: Include ${argument}: ~user paths are not supported; write the directory out`, from);
  else path = isAbsolute(argument) ? argument : join(home, '.ssh', argument);
  return expandGlob(path).sort();
}

const MAGIC = /[*?[]/;

function expandGlob(path: string): string[] {
  let found = ['/'];
  for (const part of path.split('/')) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of found) {
      if (!MAGIC.test(part)) {
        next.push(join(base, part));
        continue;
      }
      const matcher = globMatcher(part);
      for (const name of namesIn(base)) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (matcher.test(name)) next.push(join(base, name));
      }
    }
    found = next;
  }
  return found.filter((file) => existsSync(file));
}

function namesIn(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
