import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lazy } from '../../lib/lazy.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'ploy-lazy-'));
const lib = (path: string) => JSON.stringify(join(root, 'lib', path));

/**
 * A script that reports, after each step, which of the heavy packages node has loaded: the public
 * API imported, a template rendered, a file diffed, a HelmChart checked against its schema.
 */
const STEPS = `
import { createRequire } from 'node:module';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const loaded = () => ['ajv', 'diff', 'handlebars'].filter((name) => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(\`/node_modules/\${name}/\`)));
const seen = {};
const api = await import(${lib('index.ts')});
seen.imported = loaded();
const templatesDir = mkdtempSync(join(tmpdir(), 'ploy-lazy-templates-'));
writeFileSync(join(templatesDir, 'a.hbs'), 'port {{port}}');
seen.rendered = api.renderTemplate({ templatesDir, src: 'a.hbs', vars: { port: 80 } });
seen.afterTemplate = loaded();
const { contentDiff } = await import(${lib('modules/support/content-diff.ts')});
seen.diff = contentDiff('/f', { text: 'a\\n', size: 2 }, { text: 'b\\n', size: 2 }, { secretBearing: false }).includes('+b');
seen.afterDiff = loaded();
const { checkSchema } = await import(${lib('k8s/schema.ts')});
seen.schema = checkSchema({ apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', spec: { chart: 1 } });
seen.afterSchema = loaded();
console.log(JSON.stringify(seen));
`;

test('lazy: runs the function once, on the first call, and keeps its value (undefined too)', () => {
  let calls = 0;
  const value = lazy(() => {
    calls++;
    return calls === 1 ? undefined : 'again';
  });
  assert.is(calls, 0);
  assert.is(value(), undefined);
  assert.is(value(), undefined);
  assert.is(calls, 1);
});

test('under tsx: ajv, diff and handlebars are loaded when first used, not when the API is imported', () => {
  const script = join(dir, 'steps.mts');
  writeFileSync(script, STEPS);
  const seen = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8' })) as Record<string, unknown>;
  assert.equal(seen.imported, []);
  assert.is(seen.rendered, 'port 80');
  assert.equal(seen.afterTemplate, ['handlebars']);
  assert.is(seen.diff, true);
  assert.equal(seen.afterDiff, ['diff', 'handlebars']);
  assert.equal((seen.schema as { known: boolean }).known, true);
  assert.match(JSON.stringify(seen.schema), 'spec.chart');
  assert.equal(seen.afterSchema, ['ajv', 'diff', 'handlebars']);
});

test('in an esbuild bundle: the packages are inside it, run from a directory with no node_modules', async () => {
  const entry = join(dir, 'entry.mts');
  writeFileSync(entry, STEPS);
  const outfile = join(dir, 'bundle.mjs');
  // The HelmChart schema is read relative to import.meta.url, which bin/ploy's bundle keeps as the source file's.
  symlinkSync(join(root, 'lib', 'k8s', 'schemas'), join(dir, 'schemas'));
  // bench/lib/bundle.ts's settings: ssh2 (imported by the API) needs require and __dirname.
  const banner = "import { createRequire as __require_ } from 'node:module'; const require = __require_(import.meta.url); const __dirname = '/';";
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['cpu-features', '*.node'], banner: { js: banner }, logLevel: 'error' });
  const seen = JSON.parse(execFileSync(process.execPath, [outfile], { cwd: dir, encoding: 'utf8' })) as Record<string, unknown>;
  assert.is(seen.rendered, 'port 80');
  assert.is(seen.diff, true);
  assert.equal((seen.schema as { known: boolean }).known, true);
  assert.equal(seen.afterSchema, [], 'nothing was required from node_modules');
});

test.run();
