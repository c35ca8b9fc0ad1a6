// @ts-check
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** @typedef {import('esbuild').Plugin} Plugin */
/** @typedef {import('esbuild').Loader} Loader */
/** @typedef {import('./cache.mjs').InputStamp} InputStamp */

/** @type {Record<string, Loader>} */
const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx', '.json': 'json' };

const IMPORT_META = /(?<![\w$.])import\.meta\.(url|dirname|filename)(?![\w$])/g;

/**
 * `import.meta.url`, `.dirname` and `.filename` in a file's source, replaced by that file's own
 * values as string literals: code that finds files beside itself (`new URL('./x', import.meta.url)`,
 * `createRequire(import.meta.url)`) keeps finding them from inside the bundle.
 * @param {string} source
 * @param {string} path absolute
 */
export function withOriginalImportMeta(source, path) {
  if (!source.includes('import.meta')) return source;
  const values = { url: pathToFileURL(path).href, dirname: dirname(path), filename: path };
  return source.replace(IMPORT_META, (_, /** @type {'url' | 'dirname' | 'filename'} */ field) => JSON.stringify(values[field]));
}

/**
 * Every file esbuild loads (project .ts and node_modules .js alike) goes through here: its
 * import.meta values become the original ones, and its size and mtime are taken from the same
 * read, so the cache manifest describes exactly the contents that were bundled. Native addons
 * (*.node, cpu-features) stay outside the bundle under their absolute paths, so they load from
 * wherever the bundle is cached.
 * @param {Map<string, InputStamp>} stamps filled with each file read
 * @returns {Plugin}
 */
export function originalLocationPlugin(stamps) {
  return {
    name: 'ploy-original-location',
    setup(build) {
      build.onResolve({ filter: /\.node$|^cpu-features$/ }, (args) => {
        if (isAbsolute(args.path)) return { path: args.path, external: true };
        try {
          return { path: createRequire(resolve(args.resolveDir, 'noop.js')).resolve(args.path), external: true };
        } catch {
          return { path: args.path, external: true };
        }
      });
      build.onLoad({ filter: /\.(m|c)?[jt]sx?$|\.json$/ }, async (args) => {
        const loader = LOADERS[extname(args.path)];
        if (args.namespace !== 'file' || !loader) return undefined;
        // Stat before reading: a file edited in between then looks changed next time, never the reverse.
        const info = await stat(args.path);
        const bytes = await readFile(args.path);
        stamps.set(args.path, { path: args.path, size: info.size, mtimeMs: info.mtimeMs });
        return { contents: loader === 'json' ? bytes : withOriginalImportMeta(bytes.toString('utf8'), args.path), loader };
      });
    },
  };
}
