import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import { PloyError } from '../../lib/errors.ts';

/** Where the .debs are kept between runs: outside the repository, like the test bed's base image. */
export const DEFAULT_REPO_DIR = process.env.PLOY_BENCH_APT_DIR ?? '/var/cache/ploy-bench/apt';

const quiet = $({ quiet: true });

/**
 * A flat apt repository (`deb [trusted=yes] http://ADDRESS/ ./`) holding exactly the given packages:
 * fetched once with the controller's own `apt-get download` (Debian's mirror, the only time it is
 * used), indexed with dpkg-scanpackages. Returns the directory to serve.
 */
export async function ensureAptRepo(packages: readonly string[], dir = DEFAULT_REPO_DIR): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const missing = packages.filter((name) => !hasDeb(dir, name));
  if (missing.length > 0) {
    try {
      await quiet`cd ${dir} && apt-get download -q ${missing}`;
    } catch (error) {
      throw new PloyError(`bench: could not fetch ${missing.join(', ')} with apt-get download into ${dir} (is Debian's mirror reachable?): ${(error as Error).message}`, { cause: error });
    }
  }
  for (const name of packages) if (!hasDeb(dir, name)) throw new PloyError(`bench: no .deb for ${name} in ${dir} after apt-get download`);
  await quiet`cd ${dir} && dpkg-scanpackages --multiversion . /dev/null > Packages.tmp 2>/dev/null && mv Packages.tmp Packages`;
  if (!existsSync(join(dir, 'Packages'))) throw new PloyError(`bench: dpkg-scanpackages wrote no index in ${dir}`);
  return dir;
}

function hasDeb(dir: string, name: string): boolean {
  return readdirSync(dir).some((file) => file.startsWith(`${name}_`) && file.endsWith('.deb'));
}

/** The hosts' only apt source: the controller's repository, trusted without a signature. */
export function sourcesList(url: string): string {
  return `deb [trusted=yes] ${url}/ ./\n`;
}
