import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const ploy = join(root, 'bin', 'ploy');
const lib = join(root, 'lib', 'index.ts');
const project = mkdtempSync(join(tmpdir(), 'ploy-launcher-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'ploy-launcher-cache-'));
test.after(() => {
  rmSync(project, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(project, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

write('package.json', '{ "name": "launcher-test", "type": "module", "private": true }\n');
write('hosts.yml', 'all:\n  hosts:\n    local1:\n      ansible_connection: local\n');
write('lib/helper.ts', 'export const where = { url: import.meta.url, dirname: import.meta.dirname, filename: import.meta.filename };\nexport const message: string = "first";\n');
const echo = write(
  'echo.ts',
  [
    "import { message, where } from './lib/helper.ts';",
    'const self = { url: import.meta.url, dirname: import.meta.dirname, filename: import.meta.filename };',
    'process.stdout.write(JSON.stringify({ argv: process.argv, self, helper: where, message }));',
    'process.exitCode = Number(process.argv[2]);',
    '',
  ].join('\n'),
);
// Any import of esbuild fails: a run under this hook proves the cache hit never loaded it.
const denyEsbuild = write(
  'deny-esbuild.mjs',
  `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
    "export async function resolve(specifier, context, next) { if (specifier === 'esbuild') throw new Error('esbuild was imported'); return next(specifier, context); }",
  )}));\n`,
);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The caller's environment without colour: NO_COLOR, and no FORCE_COLOR (uvu's runner sets it; node warns when both are). */
function plainEnv(): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _force, ...env } = process.env;
  return { ...env, NO_COLOR: '1' };
}

function run(args: string[], options: { env?: NodeJS.ProcessEnv; nodeFlags?: string[] } = {}): Run {
  const result = spawnSync(process.execPath, [...(options.nodeFlags ?? []), ploy, ...args], {
    cwd: project,
    encoding: 'utf8',
    env: { ...plainEnv(), PLOY_LAUNCHER_DEBUG: '1', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Manifest {
  bundle: string;
  playbook: string;
  inputs: Array<{ path: string }>;
}

function manifestOf(playbook: string, cacheDir = join(project, 'node_modules', '.cache', 'ploy')): { manifest: Manifest; bundlePath: string } {
  for (const name of readdirSync(cacheDir).filter((n) => n.endsWith('.json'))) {
    const manifest = JSON.parse(readFileSync(join(cacheDir, name), 'utf8')) as Manifest;
    if (manifest.playbook === playbook) return { manifest, bundlePath: join(cacheDir, manifest.bundle) };
  }
  throw new Error(`no manifest for ${playbook} in ${cacheDir}`);
}

test('the first run builds the bundle and runs it: exit code, argv and import.meta as under tsx', () => {
  const first = run(['echo.ts', '7', '--flag', 'two words']);
  assert.match(first.stderr, /^ploy: cache miss, built /);
  assert.is(first.status, 7);
  const seen = JSON.parse(first.stdout) as { argv: string[]; self: Record<string, string>; helper: Record<string, string>; message: string };
  assert.equal(seen.argv, [process.execPath, echo, '7', '--flag', 'two words']);
  assert.equal(seen.self, { url: pathToFileURL(echo).href, dirname: project, filename: echo });
  const helper = join(project, 'lib', 'helper.ts');
  assert.equal(seen.helper, { url: pathToFileURL(helper).href, dirname: join(project, 'lib'), filename: helper });
  assert.is(seen.message, 'first');
  const { manifest } = manifestOf(echo);
  assert.equal(manifest.inputs.map((i) => i.path).sort(), [echo, helper]);
});

test('the second run is a cache hit: the bundle is not rewritten and esbuild is never imported', () => {
  const { bundlePath } = manifestOf(echo);
  const before = statSync(bundlePath).mtimeMs;
  const second = run(['echo.ts', '3'], { nodeFlags: ['--import', pathToFileURL(denyEsbuild).href] });
  assert.match(second.stderr, /^ploy: cache hit /);
  assert.is(second.status, 3, second.stderr);
  assert.is(statSync(bundlePath).mtimeMs, before);
  // The hook does stop esbuild: a playbook not built yet cannot be run under it.
  write('other.ts', 'process.exitCode = 0;\n');
  const miss = run(['other.ts'], { nodeFlags: ['--import', pathToFileURL(denyEsbuild).href] });
  assert.is.not(miss.status, 0);
  assert.match(miss.stderr, /esbuild was imported/);
});

test('editing a file the playbook imports rebuilds the bundle', () => {
  const helper = write('lib/helper.ts', readFileSync(join(project, 'lib', 'helper.ts'), 'utf8').replace('"first"', '"second, edited"'));
  const later = new Date(Date.now() + 5000);
  utimesSync(helper, later, later);
  const edited = run(['echo.ts', '0']);
  assert.match(edited.stderr, /^ploy: cache miss/);
  assert.is(edited.status, 0);
  assert.is((JSON.parse(edited.stdout) as { message: string }).message, 'second, edited');
  assert.match(run(['echo.ts', '0']).stderr, /^ploy: cache hit/);
});

test('two runs building at once both run, and leave one consistent cache entry', async () => {
  write('busy.ts', "import { message } from './lib/helper.ts';\nprocess.stdout.write(message);\n");
  const both = await Promise.all([1, 2].map(() => runAsync(['busy.ts'])));
  for (const result of both) {
    assert.is(result.status, 0, result.stderr);
    assert.is(result.stdout, 'second, edited');
  }
  assert.match(run(['busy.ts']).stderr, /^ploy: cache hit/);
});

test('a syntax error: ploy: cannot build, then file:line:column: message of each error, exit 1', () => {
  write('lib/broken.ts', 'export const fine = 1;\nexport const broken = ;\n');
  write('broken.ts', "import { broken } from './lib/broken.ts';\nconsole.log(broken);\n");
  const result = run(['broken.ts']);
  assert.is(result.status, 1);
  assert.is(result.stdout, '');
  assert.match(result.stderr, /^ploy: cannot build broken\.ts:\n {2}lib\/broken\.ts:2:23: Unexpected ";"\n$/);
  write('unresolved.ts', "import { gone } from './lib/gone.ts';\nconsole.log(gone);\n");
  assert.match(run(['unresolved.ts']).stderr, /unresolved\.ts:1:22: Could not resolve "\.\/lib\/gone\.ts"/);
});

test('no playbook: the usage on stderr, exit 1; a missing one is named, exit 1', () => {
  const none = run([]);
  assert.is(none.status, 1);
  assert.match(none.stderr, /^Usage: \S*bin\/ploy PLAYBOOK\.ts \[playbook flags\.\.\.\]/);
  assert.match(none.stderr, /not checked/);
  const missing = run(['nope/site.ts', '--check']);
  assert.is(missing.status, 1);
  assert.is(missing.stderr, 'ploy: no such playbook: nope/site.ts\n');
  const help = run(['--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /^Usage: /);
});

test('kubectlApply schema checks load their schemas from a bundle cached far from lib/', () => {
  write(
    'k8s.ts',
    `import { definePlay, defineRole, runPlaybook } from ${JSON.stringify(lib)};
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 'two', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } };
const helmChartConfig = 'apiVersion: helm.cattle.io/v1\\nkind: HelmChartConfig\\nmetadata:\\n  name: traefik\\n  namespace: kube-system\\nspec:\\n  bogus: true\\n';
const web = defineRole({ name: 'web', hosts: 'all', defaults: { which: 'deployment' }, async run(t, vars) {
  if (vars.which === 'deployment') await t.kubectlApply('deployment', { objects: [deployment] });
  else await t.kubectlApply('traefik', { manifest: helmChartConfig });
} });
await runPlaybook(definePlay({ name: 'k8s', roles: [web] }));
`,
  );
  const env = { PLOY_CACHE_DIR: elsewhere };
  const deploymentRun = run(['k8s.ts', '-i', 'hosts.yml'], { env });
  assert.is(deploymentRun.status, 1, deploymentRun.stderr);
  assert.match(deploymentRun.stderr, /field spec\.replicas must be integer, got string "two"/);
  const helmRun = run(['k8s.ts', '-i', 'hosts.yml', '-e', 'which=helm'], { env });
  assert.is(helmRun.status, 1, helmRun.stderr);
  assert.match(helmRun.stderr, /^ploy: cache hit/);
  assert.match(helmRun.stderr, /HelmChartConfig kube-system\/traefik .*field spec\.bogus is not a field of this kind/);
  assert.ok(manifestOf(join(project, 'k8s.ts'), elsewhere).bundlePath.startsWith(elsewhere));
});

test('--help names bin/ploy; with -vvv stack traces point at the .ts files, without it there is none', () => {
  write(
    'roles/boom.ts',
    `import { defineRole } from ${JSON.stringify(lib)};\n\nexport const boom = defineRole({ name: 'boom', hosts: 'all', defaults: {}, async run() {\n  throw new Error('boom from role code');\n} });\n`,
  );
  write('boom.ts', `import { definePlay, runPlaybook } from ${JSON.stringify(lib)};\nimport { boom } from './roles/boom.ts';\nawait runPlaybook(definePlay({ name: 'boom', roles: [boom] }));\n`);
  const help = run(['boom.ts', '--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /^Usage: \S*bin\/ploy boom\.ts \[flags\]/);
  const verbose = run(['boom.ts', '-i', 'hosts.yml', '-vvv']);
  assert.is(verbose.status, 2);
  assert.ok(verbose.stdout.includes(`at Object.run (${join(project, 'roles', 'boom.ts')}:4:9)`), verbose.stdout);
  assert.match(verbose.stdout, /lib\/runner\/run-play\.ts:\d+:\d+\)/);
  const quiet = run(['boom.ts', '-i', 'hosts.yml']);
  assert.is(quiet.status, 2);
  assert.not.match(quiet.stdout, /boom\.ts:4/);
});

test('the output and exit code are those of the same playbook under tsx', () => {
  const launched = run(['boom.ts', '-i', 'hosts.yml', '-vvv']);
  const tsx = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['boom.ts', '-i', 'hosts.yml', '-vvv'], { cwd: project, encoding: 'utf8', env: plainEnv() });
  const timeless = (text: string) => text.replace(/\d+\.\d+s/g, 'N.Ns');
  assert.is(launched.status, tsx.status);
  assert.is(timeless(launched.stdout), timeless(tsx.stdout));
  assert.is(launched.stderr.replace(/^ploy: cache \w+ .*\n/, ''), tsx.stderr);
});

test('SIGINT: the playbook CLI lets the running task finish and exits 130', async () => {
  write(
    'slow.ts',
    `import { definePlay, defineRole, runPlaybook } from ${JSON.stringify(lib)};
const slow = defineRole({ name: 'slow', hosts: 'all', defaults: {}, async run(t) {
  await t.command('wait', { cmd: 'sleep 1.5' });
  await t.command('never', { cmd: 'true' });
} });
await runPlaybook(definePlay({ name: 'slow', roles: [slow] }));
`,
  );
  const result = await runAsync(['slow.ts', '-i', 'hosts.yml'], (out, child) => {
    if (out.includes('ROLE [slow]')) child.kill('SIGINT');
  });
  assert.is(result.status, 130, result.stderr);
  assert.match(result.stderr, /SIGINT: letting running tasks finish/);
  assert.match(result.stdout, /changed: \[local1\] wait/);
  assert.not.match(result.stdout, /never/);
  assert.match(result.stdout, /Interrupted/);
});

/** bin/ploy as a child; onStdout sees the output so far each time more arrives. */
function runAsync(args: string[], onStdout?: (out: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ploy, ...args], { cwd: project, env: plainEnv() });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (onStdout && !signalled) {
        onStdout(stdout, child);
        signalled = child.killed;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test.run();
