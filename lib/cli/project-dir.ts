import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The project directory of a playbook: the nearest directory holding package.json at or above the
 * playbook file. Falls back to the given directory when there is none.
 */
export function findProjectDir(playbookFile: string | undefined, fallback: string): string {
  if (!playbookFile) return fallback;
  let dir = dirname(resolve(playbookFile));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return fallback;
    dir = parent;
  }
}
