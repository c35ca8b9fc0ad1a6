// @ts-check
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Bump when the build settings or the cache layout change: every cached bundle is then rebuilt. */
export const FORMAT_VERSION = 2;

/** @typedef {{ path: string, size: number, mtimeMs: number }} InputStamp */
/** @typedef {{ format: number, playbook: string, bundle: string, inputs: InputStamp[] }} Manifest */

/**
 * The nearest directory holding package.json at or above the playbook (as lib/cli/project-dir.ts
 * finds it), or undefined when there is none.
 * @param {string} playbook absolute path
 * @returns {string | undefined}
 */
export function projectDirOf(playbook) {
  let dir = dirname(playbook);
  for (;;) {
    if (statSync(join(dir, 'package.json'), { throwIfNoEntry: false })) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * $PLOY_CACHE_DIR, else <project>/node_modules/.cache/ploy, else (no package.json above the
 * playbook) the user's cache directory.
 * @param {string} playbook absolute path
 * @param {NodeJS.ProcessEnv} env
 */
export function cacheDirFor(playbook, env) {
  if (env.PLOY_CACHE_DIR) return env.PLOY_CACHE_DIR;
  const project = projectDirOf(playbook);
  if (project) return join(project, 'node_modules', '.cache', 'ploy');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ploy');
}

/** The esbuild the launcher builds with: its package.json is read, esbuild itself is not loaded. */
export function esbuildVersion() {
  const require = createRequire(import.meta.url);
  const pkg = /** @type {{ version: string }} */ (JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')));
  return pkg.version;
}

/**
 * One cache entry per playbook, node, esbuild and launcher format.
 * @param {string} playbook absolute path
 */
export function cacheKey(playbook) {
  return createHash('sha256').update([playbook, process.version, esbuildVersion(), String(FORMAT_VERSION)].join('\0')).digest('hex').slice(0, 32);
}

/**
 * The cached bundle when every input the last build read still has the same size and mtime.
 * @param {string} dir
 * @param {string} key
 * @returns {string | undefined} the bundle's path
 */
export function freshBundle(dir, key) {
  /** @type {Manifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.format !== FORMAT_VERSION || !Array.isArray(manifest.inputs)) return undefined;
  for (const input of manifest.inputs) {
    const now = statSync(input.path, { throwIfNoEntry: false });
    if (!now || now.size !== input.size || now.mtimeMs !== input.mtimeMs) return undefined;
  }
  const bundle = join(dir, manifest.bundle);
  return statSync(bundle, { throwIfNoEntry: false }) ? bundle : undefined;
}

/**
 * A name no other build uses: bundle and map are written under it, then the manifest that names
 * them. The manifest's rename is the commit, so two runs building at once each leave a consistent
 * entry and the last rename wins.
 * @param {string} key
 */
export function newBundleName(key) {
  return `${key}.${randomBytes(6).toString('hex')}.mjs`;
}

/**
 * @param {string} path
 * @param {string | Uint8Array} data
 */
export function writeAtomically(path, data) {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

/**
 * Commit a build: its files are already written under manifest.bundle.
 * @param {string} dir
 * @param {string} key
 * @param {Manifest} manifest
 */
export function commitManifest(dir, key, manifest) {
  writeAtomically(join(dir, `${key}.json`), `${JSON.stringify(manifest)}\n`);
  removeOldBundles(dir, key, manifest.bundle);
}

/** A superseded bundle may still be being imported by a run that read the manifest before: keep it a while. */
const SUPERSEDED_GRACE_MS = 10 * 60 * 1000;

/**
 * @param {string} dir
 * @param {string} key
 * @param {string} current
 */
function removeOldBundles(dir, key, current) {
  const cutoff = Date.now() - SUPERSEDED_GRACE_MS;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${key}.`) || name.startsWith(current) || name === `${key}.json`) continue;
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && stat.mtimeMs < cutoff) rmSync(path, { force: true });
  }
}

/** @param {string} dir */
export function ensureDir(dir) {
  mkdirSync(dir, { recursive: true });
}
