import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle } from '../../bin/launcher/build.mjs';

/**
 * The bench play bundled with bin/ploy's own esbuild settings (bin/launcher/build.mjs), written
 * beside site.ts: the `bundle` launcher, plain node on a file built ahead, against which bin/ploy's
 * cache look-up can be measured. Returns the path and the build time.
 */
export async function bundlePlay(root: string, name = '.site.bundle.mjs'): Promise<{ path: string; buildMs: number }> {
  const path = join(root, 'bench', 'play', name);
  const started = performance.now();
  const { files } = await buildBundle({ entry: join(root, 'bench', 'play', 'site.ts'), outfile: path, workingDir: root });
  // The source map is left out: the bench never enables source maps.
  for (const file of files) if (!file.path.endsWith('.map')) writeFileSync(file.path, file.contents);
  return { path, buildMs: performance.now() - started };
}
