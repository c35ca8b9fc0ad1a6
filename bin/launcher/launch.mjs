// @ts-check
import { statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDirFor, cacheKey, commitManifest, ensureDir, FORMAT_VERSION, freshBundle, newBundleName, projectDirOf, writeAtomically } from './cache.mjs';

/** Set to the command shown in the playbook's --help; lib/cli/main.ts reads it. */
export const LAUNCHER_SYMBOL = Symbol.for('ploy.launcher');

/** @param {string} program */
function usage(program) {
  return [
    `Usage: ${program} PLAYBOOK.ts [playbook flags...]`,
    '',
    'Runs a playbook with plain node from a bundle cached in node_modules/.cache/ploy (or',
    '$PLOY_CACHE_DIR), rebuilt with esbuild when the playbook or a file it imports changes.',
    'TypeScript types are not checked (as under tsx): run `npm run typecheck` for that.',
    `The playbook's own flags: ${program} PLAYBOOK.ts --help`,
    '',
  ].join('\n');
}

/**
 * The launcher as the user can run it again: `npx ploy` when npm started it from a node_modules/.bin,
 * else its path from the current directory (`bin/ploy`).
 * @param {string} launcherPath
 */
export function programName(launcherPath) {
  if (/[\\/]node_modules[\\/]\.bin[\\/][^\\/]+$/.test(launcherPath)) return `npx ${basename(launcherPath)}`;
  return relative(process.cwd(), launcherPath) || launcherPath;
}

/**
 * How often -v is given before `--` (-vvv, -v -v -v, --verbose ...).
 * @param {readonly string[]} args
 */
export function verbosity(args) {
  let count = 0;
  for (const arg of args) {
    if (arg === '--') break;
    if (arg === '--verbose') count++;
    else if (/^-[A-Za-z]+$/.test(arg)) count += arg.split('v').length - 1;
  }
  return count;
}

/**
 * `bin/ploy PLAYBOOK.ts [flags]`: find or build the playbook's bundle, then run it in this process
 * with process.argv as tsx would have set it. Returns the exit code for a launcher error; the
 * playbook itself ends the process (runPlaybook exits).
 * @param {readonly string[]} args
 * @param {string} launcherPath the bin/ploy that was run
 * @returns {Promise<number | undefined>}
 */
export async function launch(args, launcherPath) {
  const started = performance.now();
  const debug = process.env.PLOY_LAUNCHER_DEBUG === '1';
  const program = programName(launcherPath);
  const [given, ...rest] = args;
  if (given === '-h' || given === '--help') {
    process.stdout.write(usage(program));
    return 0;
  }
  if (given === undefined || given.startsWith('-')) {
    process.stderr.write(usage(program));
    return 1;
  }
  const playbook = resolve(given);
  if (!statSync(playbook, { throwIfNoEntry: false })?.isFile()) {
    process.stderr.write(`ploy: no such playbook: ${given}\n`);
    return 1;
  }

  const dir = cacheDirFor(playbook, process.env);
  const key = cacheKey(playbook);
  let bundle = freshBundle(dir, key);
  if (bundle) {
    if (debug) process.stderr.write(`ploy: cache hit ${bundle} (${(performance.now() - started).toFixed(1)} ms)\n`);
  } else {
    const { buildBundle, BuildFailure } = await import('./build.mjs');
    try {
      bundle = await rebuild(buildBundle, playbook, dir, key);
    } catch (error) {
      if (!(error instanceof BuildFailure)) throw error;
      process.stderr.write(`ploy: cannot build ${given}:\n${error.lines.map((line) => `  ${line}\n`).join('')}`);
      return 1;
    }
    if (debug) process.stderr.write(`ploy: cache miss, built ${bundle} (${(performance.now() - started).toFixed(1)} ms)\n`);
  }

  // Reading the map costs a few hundred ms: only when -vvv asks for stack traces.
  if (verbosity(rest) >= 3) process.setSourceMapsEnabled(true);
  process.argv = [process.execPath, playbook, ...rest];
  Object.defineProperty(globalThis, LAUNCHER_SYMBOL, { value: program, configurable: true });
  await import(pathToFileURL(bundle).href);
  return undefined;
}

/**
 * Build, write bundle and map under a fresh name, then commit the manifest naming them.
 * @param {typeof import('./build.mjs').buildBundle} buildBundle
 * @param {string} playbook
 * @param {string} dir
 * @param {string} key
 */
async function rebuild(buildBundle, playbook, dir, key) {
  ensureDir(dir);
  const name = newBundleName(key);
  const outfile = join(dir, name);
  const { files, inputs } = await buildBundle({ entry: playbook, outfile, workingDir: projectDirOf(playbook) ?? dirname(playbook) });
  // The map first: a bundle is never there without its map.
  for (const file of [...files].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')))) {
    writeAtomically(file.path, file.contents);
  }
  commitManifest(dir, key, { format: FORMAT_VERSION, playbook, bundle: basename(outfile), inputs });
  return outfile;
}
