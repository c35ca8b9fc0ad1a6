/**
 * The image's build context, read on the controller: its files and a tag that is a hash of their
 * paths, executable bits and contents, so the same context always gives the same tag and any change
 * a new one.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../lib/index.ts';

/** The project's files/ directory, where a relative echo_healthcheck_context is looked for. */
export const PROJECT_FILES = fileURLToPath(new URL('../../files/', import.meta.url));

export interface ContextFile {
  /** Relative to the context, with / between names. */
  path: string;
  /** The absolute path on the controller. */
  source: string;
  executable: boolean;
}

export interface BuildContext {
  dir: string;
  files: ContextFile[];
  /** 16 hex digits of the sha256 over every file. */
  tag: string;
}

/** Read the context at `dir` (absolute, or under the project's files/); errors name the host and variable. */
export function readBuildContext(dir: string, host: string): BuildContext {
  const where = { host, field: 'echo_healthcheck_context' };
  const root = isAbsolute(dir) ? dir : join(PROJECT_FILES, dir);
  let stats: Stats | undefined;
  try {
    stats = lstatSync(root);
  } catch {
    stats = undefined;
  }
  if (!stats?.isDirectory()) throw new InputError(`the build context ${root} is not a directory on the controller`, where);
  const files: ContextFile[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const source = join(current, name);
      const entry = lstatSync(source);
      if (entry.isDirectory()) walk(source);
      else if (entry.isFile()) files.push({ path: relative(root, source).split(sep).join('/'), source, executable: (entry.mode & 0o111) !== 0 });
      else throw new InputError(`the build context holds ${relative(root, source)}, which is neither a file nor a directory (a link or a device): the image would depend on what it points to`, where);
    }
  };
  walk(root);
  if (!files.some((file) => file.path === 'Dockerfile')) throw new InputError(`the build context ${root} has no Dockerfile`, where);
  const hash = createHash('sha256');
  for (const file of files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(`${file.path}\0${file.executable ? 'x' : '-'}\0${createHash('sha256').update(readFileSync(file.source)).digest('hex')}\n`);
  }
  return { dir: root, files, tag: hash.digest('hex').slice(0, 16) };
}
