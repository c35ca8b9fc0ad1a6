// @ts-check
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { originalLocationPlugin } from './original-location-plugin.mjs';

/** @typedef {import('./cache.mjs').InputStamp} InputStamp */
/** @typedef {{ path: string, contents: Uint8Array }} OutputFile */

/** CommonJS dependencies (ssh2) use require, __dirname and __filename: the ESM bundle gets them. */
const BANNER = [
  "import { createRequire as __ployRequire } from 'node:module';",
  "import { fileURLToPath as __ployPath } from 'node:url';",
  "import { dirname as __ployDirname } from 'node:path';",
  'const require = __ployRequire(import.meta.url);',
  'const __filename = __ployPath(import.meta.url);',
  'const __dirname = __ployDirname(__filename);',
].join(' ');

/** The playbook has a syntax error, an import that does not resolve, or another build error. */
export class BuildFailure extends Error {
  /** @param {string[]} lines `file:line:column: message`, one per esbuild error */
  constructor(lines) {
    super(lines.join('\n'));
    this.name = 'BuildFailure';
    this.lines = lines;
  }
}

/**
 * The playbook and everything it imports as one ES module for plain node (esbuild, loaded only
 * here), with a linked source map that node reads only when source maps are enabled. Nothing is
 * written: the caller stores the files. Type errors are not checked, as under tsx.
 * @param {{ entry: string, outfile: string, workingDir: string }} options
 * @returns {Promise<{ files: OutputFile[], inputs: InputStamp[] }>}
 */
export async function buildBundle({ entry, outfile, workingDir }) {
  const esbuild = await import('esbuild');
  /** @type {Map<string, InputStamp>} */
  const stamps = new Map();
  /** @type {import('esbuild').BuildResult<{ metafile: true, write: false }>} */
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      outfile,
      absWorkingDir: workingDir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: BANNER },
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      write: false,
      logLevel: 'silent',
      plugins: [originalLocationPlugin(stamps)],
    });
  } catch (error) {
    const errors = /** @type {{ errors?: import('esbuild').Message[] }} */ (error).errors;
    if (Array.isArray(errors) && errors.length > 0) throw new BuildFailure(errors.map((message) => formatMessage(message, workingDir)));
    throw error;
  }
  const inputs = Object.keys(result.metafile.inputs)
    .filter((key) => !/^[a-z][\w-]*:/i.test(key))
    .map((key) => resolve(workingDir, key))
    .map((path) => stamps.get(path) ?? stampNow(path));
  // esbuild reads the project's tsconfig.json too (its metafile does not list it).
  const tsconfig = resolve(workingDir, 'tsconfig.json');
  if (statSync(tsconfig, { throwIfNoEntry: false })) inputs.push(stampNow(tsconfig));
  return { files: result.outputFiles.map((file) => ({ path: file.path, contents: file.contents })), inputs };
}

/**
 * A file esbuild read itself (the plugin did not): its stamp after the build.
 * @param {string} path
 * @returns {InputStamp}
 */
function stampNow(path) {
  const info = statSync(path);
  return { path, size: info.size, mtimeMs: info.mtimeMs };
}

/**
 * `file:line:column: message` with the file relative to the current directory and the column
 * counted from 1, as editors and tsc count it (esbuild counts from 0).
 * @param {import('esbuild').Message} message
 * @param {string} workingDir
 */
export function formatMessage(message, workingDir) {
  const where = message.location;
  if (!where) return message.text;
  const file = relative(process.cwd(), resolve(workingDir, where.file)) || where.file;
  return `${file}:${where.line}:${where.column + 1}: ${message.text}`;
}
