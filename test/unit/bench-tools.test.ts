import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors.ts';
import { sourcesList } from '../../bench/lib/apt-repo.ts';
import { serveDirectory } from '../../bench/lib/file-server.ts';
import { parseBenchFlags } from '../../bench/lib/flags.ts';
import { ed25519Keys } from '../../bench/lib/floor.ts';
import { runTool } from '../../bench/lib/tool-run.ts';
import { ansibleCommand, newControlDir, ployCommand, ployStartupCommand, prepareHome, stopControlMasters, type ToolSetup } from '../../bench/lib/tools.ts';

/** GET a path exactly as written (fetch would resolve the dots away). */
function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bench-tools-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('both tools get the same inventory, forks and HOME, and nothing of the caller’s ssh-agent', () => {
  const home = prepareHome(dir);
  assert.equal(readdirSync(home), [], "nothing of the caller's ~/.ssh");
  const setup: ToolSetup = { root: '/repo', inventoryPath: '/bed/inventory.yml', forks: 30, home, launcher: 'tsx' };
  const ploy = ployCommand(setup, { check: true });
  assert.equal(ploy.argv, ['/repo/node_modules/.bin/tsx', 'bench/play/site.ts', '-i', '/bed/inventory.yml', '--forks', '30', '--check']);
  const ansible = ansibleCommand(setup, { check: false, controlDir: '/tmp/cp-x' });
  assert.equal(ansible.argv, ['ansible-playbook', '-i', '/bed/inventory.yml', 'site.yml', '--forks', '30']);
  assert.is(ansible.cwd, '/repo/bench/ansible');
  assert.is(ansible.env.ANSIBLE_CONFIG, '/repo/bench/ansible/ansible.cfg');
  assert.is(ansible.env.ANSIBLE_SSH_CONTROL_PATH_DIR, '/tmp/cp-x');
  for (const command of [ploy, ansible]) {
    assert.is(command.env.HOME, home);
    assert.is(command.env.SSH_AUTH_SOCK, undefined);
  }
  const profiled = ployCommand(setup, { check: false, verbose: true, cpuProfileDir: '/tmp/prof' });
  assert.equal(ployStartupCommand(setup).argv.slice(1), ['bench/play/site.ts', '--help']);
  assert.equal(ployCommand({ ...setup, launcher: 'node' }, { check: false }).argv.slice(1, 5), ['--import', 'tsx', 'bench/play/site.ts', '-i']);
  assert.equal(ployCommand({ ...setup, launcher: 'bundle', bundlePath: '/b.mjs' }, { check: false }).argv.slice(1, 3), ['/b.mjs', '-i']);
  assert.equal(ployCommand({ ...setup, launcher: 'ploy' }, { check: false }).argv.slice(1, 4), ['/repo/bin/ploy', 'bench/play/site.ts', '-i']);
  assert.equal(ployCommand({ ...setup, launcher: 'ploy' }, { check: false, cpuProfileDir: '/tmp/prof' }).argv.slice(1, 4), ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '/repo/bin/ploy']);
  assert.throws(() => ployCommand({ ...setup, launcher: 'bundle' }, { check: false }), /bundlePath/);
  assert.equal(profiled.argv.slice(1), ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--import', 'tsx', 'bench/play/site.ts', '-i', '/bed/inventory.yml', '--forks', '30', '-v']);
});

test('a control directory is removed after its masters are asked to exit', async () => {
  const control = newControlDir(join(dir, 'control'));
  assert.ok(statSync(control).isDirectory());
  writeFileSync(join(control, 'not-a-socket'), '');
  await stopControlMasters(control);
  assert.not.ok(existsSync(control));
});

test('a tool run is timed to its exit, its peak RSS read from GNU time, its recap parsed', async () => {
  const script = "const a = Buffer.alloc(64 * 1024 * 1024, 1); console.log('h1 : ok=2 changed=1 unreachable=0 failed=0 skipped=0', a.length)";
  const run = await runTool({ tool: 'ploy', argv: [process.execPath, '-e', script], cwd: dir, env: { PATH: process.env.PATH } }, join(dir, 'run.log'));
  assert.is(run.exitCode, 0);
  assert.equal(run.recap, { h1: { ok: 2, changed: 1, unreachable: 0, failed: 0, skipped: 0 } });
  assert.ok(run.peakRssKb > 64 * 1024, `peak ${run.peakRssKb} KiB holds the 64 MiB buffer`);
  assert.ok(run.wallMs > 0);
  const failed = await runTool({ tool: 'ansible', argv: [process.execPath, '-e', 'process.exit(2)'], cwd: dir, env: {} }, join(dir, 'fail.log'));
  assert.is(failed.exitCode, 2);
  assert.ok(failed.peakRssKb > 0, 'read past "Command exited with non-zero status"');
});

test('known_hosts: the ed25519 key blob by address, other types ignored', () => {
  const keys = ed25519Keys('10.0.0.1 ssh-rsa AAAAB3Nz\n10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n\n10.0.0.2 ecdsa-sha2-nistp256 AAAAE2\n');
  assert.equal([...keys.keys()], ['10.0.0.1']);
  assert.equal(keys.get('10.0.0.1'), Buffer.from('AAAAC3NzaC1lZDI1NTE5', 'base64'));
});

test('the file server serves files of its directory only', async () => {
  const root = join(dir, 'repo');
  mkdirSync(root);
  writeFileSync(join(root, 'Packages'), 'Package: tree\n');
  writeFileSync(join(dir, 'secret'), 'outside');
  const server = await serveDirectory(root, '127.0.0.1');
  try {
    const ok = await fetch(`${server.url}/Packages`);
    assert.is(ok.status, 200);
    assert.is(await ok.text(), 'Package: tree\n');
    assert.is((await fetch(`${server.url}/missing`)).status, 404);
    assert.is(await rawStatus(server.url, '/../secret'), 404, 'no way out of the directory');
    assert.is((await fetch(`${server.url}/`)).status, 404);
    assert.is(server.requests, 4);
  } finally {
    await server.close();
  }
  assert.is(sourcesList(server.url), `deb [trusted=yes] ${server.url}/ ./\n`);
});

test('bench flags: hosts and pairs are positive numbers, scenarios are known names in run order', () => {
  const flags = parseBenchFlags(['--hosts', '30', '--scenario', 'check,no-change']);
  assert.is(flags.hosts, 30);
  assert.is(flags.pairs, 5);
  assert.equal(flags.scenarios, ['no-change', 'check']);
  assert.equal(parseBenchFlags([]).scenarios, ['converge', 'no-change', 'check']);
  assert.throws(
    () => parseBenchFlags(['--hosts', '0']),
    (e: unknown) => e instanceof InputError && /--hosts/.test(e.message),
  );
  assert.is(flags.launcher, 'ploy');
  assert.is(parseBenchFlags(['--launcher', 'bundle']).launcher, 'bundle');
  assert.throws(
    () => parseBenchFlags(['--launcher', 'bun']),
    (e: unknown) => e instanceof InputError && /unknown launcher "bun"/.test(e.message),
  );
  assert.throws(
    () => parseBenchFlags(['--scenario', 'fast']),
    (e: unknown) => e instanceof InputError && /unknown scenario "fast"/.test(e.message),
  );
});

test.run();
