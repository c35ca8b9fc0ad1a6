/**
 * package.json says what a user's install needs: every package that ploy's user-facing code (lib/,
 * bin/ploy, playbooks/, the README's example play) imports is a dependency, and every dependency
 * is imported there or named below with the reason it is needed anyway. esbuild follows the
 * imports (static and literal dynamic ones) from those entry points, as bin/ploy bundles a play.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Dependencies no import statement names, each with the file that shows why it is needed. */
const NEEDED_WITHOUT_IMPORT: Record<string, { file: string; shows: string }> = {
  // Loaded by a computed specifier (`kubernetes-models/${apiVersion}/${kind}`) when a manifest is checked.
  'kubernetes-models': { file: 'lib/k8s/schema-registry.ts', shows: '`kubernetes-models/${apiVersion}/${kind}`' },
  '@kubernetes-models/cert-manager': { file: 'lib/k8s/schema-registry.ts', shows: '`@kubernetes-models/cert-manager/${apiVersion}/${kind}`' },
  // The TypeScript runner users may start a playbook with instead of bin/ploy.
  tsx: { file: 'README.md', shows: '`tsx playbooks/site.ts` still works' },
};

const entryPoints = [
  'lib/index.ts',
  'bin/ploy',
  'examples/hello/play.ts',
  ...readdirSync(join(root, 'playbooks'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `playbooks/${name}`),
];

/** The package a bare import specifier names: `@scope/name/x` -> `@scope/name`, `name/x` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

async function importedPackages(): Promise<Map<string, Set<string>>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outdir: 'out',
    loader: { '': 'js' },
    logLevel: 'silent',
  });
  const packages = new Map<string, Set<string>>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || imported.path.startsWith('node:') || imported.path.startsWith('<')) continue;
      const name = packageOf(imported.path);
      packages.set(name, (packages.get(name) ?? new Set()).add(file));
    }
  }
  return packages;
}

test('every package the user-facing code imports is a dependency, not a devDependency', async () => {
  const imported = await importedPackages();
  assert.ok(imported.has('ssh2') && imported.has('yaml'), `the scan found the known imports: ${[...imported.keys()].join(', ')}`);
  for (const [name, files] of imported) {
    assert.ok(manifest.dependencies[name] !== undefined, `${name} is imported by ${[...files].join(', ')} but is not in dependencies`);
  }
});

test('every dependency is imported by the user-facing code, or needed for a stated reason', async () => {
  const imported = await importedPackages();
  for (const name of Object.keys(manifest.dependencies)) {
    if (imported.has(name)) continue;
    const reason = NEEDED_WITHOUT_IMPORT[name];
    assert.ok(reason, `${name} is a dependency that no user-facing file imports: remove it, or move it to devDependencies if only tests, the test bed or the bench use it`);
    assert.ok(readFileSync(join(root, reason.file), 'utf8').includes(reason.shows), `${reason.file} no longer shows why ${name} is needed (${reason.shows})`);
  }
});

test('the test bed and the bench use zx: a devDependency; node-ssh is gone', () => {
  assert.ok(manifest.devDependencies['zx'] !== undefined);
  assert.is(manifest.dependencies['zx'], undefined);
  assert.is(manifest.dependencies['node-ssh'], undefined);
  assert.is(manifest.devDependencies['node-ssh'], undefined);
});

test.run();
