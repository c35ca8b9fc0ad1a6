import { join } from 'node:path';
import { build } from 'esbuild';

/** CommonJS dependencies (ssh2) use require, __dirname and __filename: give the ESM bundle those. */
const BANNER = [
  "import { createRequire as __ployRequire } from 'node:module';",
  "import { fileURLToPath as __ployPath } from 'node:url';",
  "import { dirname as __ployDirname } from 'node:path';",
  'const require = __ployRequire(import.meta.url);',
  'const __filename = __ployPath(import.meta.url);',
  'const __dirname = __ployDirname(__filename);',
].join(' ');

/**
 * The ploy play bundled into one ES module with esbuild (what tsx itself uses, so nothing new is
 * installed): plain node then loads one file instead of ~470 through tsx's loader. Written beside
 * site.ts, so the play's files/ and templates/ resolve as before. An experiment measuring what a
 * cached build of a playbook would save; not how ploy is run today. Returns the path and build time.
 */
export async function bundlePlay(root: string, name = '.site.bundle.mjs'): Promise<{ path: string; buildMs: number }> {
  const path = join(root, 'bench', 'play', name);
  const started = performance.now();
  await build({
    entryPoints: [join(root, 'bench', 'play', 'site.ts')],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // ssh2's optional native parts stay optional: required at run time, or absent.
    external: ['cpu-features', '*.node'],
    banner: { js: BANNER },
    logLevel: 'error',
  });
  return { path, buildMs: performance.now() - started };
}
