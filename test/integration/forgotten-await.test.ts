/**
 * A role that forgets an await, run through the real CLI on a test-bed host (systemd + OpenSSH):
 * the overlap the preflight sees stops the run with exit 1 before the host is touched; the one only
 * the real run meets, and a copy still running when run() returns, fail the host (exit 2) naming
 * the tasks, after the forgotten copy has ended; every task awaited, the same role converges.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, runCli, shown, type CliRun } from './faults-cli.ts';

const PLAYBOOK = 'test/fixtures/forgotten-await/playbook.ts';
let bed: Testbed;
let home: string;
let inventory: string;
let runs = 0;

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'web1' }] });
  home = cliHome(bed);
  inventory = join(bed.dir, 'forgotten-await-inventory.yml');
  writeFileSync(inventory, `all:\n  hosts:\n    web1: { ansible_host: ${bed.host('web1').ip}, ansible_user: root, ansible_ssh_private_key_file: ${bed.keyPath} }\n`);
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
});

/** Runs the playbook with this mistake in a fresh directory on the host; returns the run and the directory. */
async function ploy(mistake: string): Promise<{ run: CliRun; dir: string }> {
  const dir = `/var/tmp/ploy-await-${++runs}`;
  await bed.sh('web1', `rm -rf ${dir} && mkdir ${dir}`);
  const run = await runCli(PLAYBOOK, ['-i', inventory, '-e', `dir=${dir}`, '-e', `mistake=${mistake}`], { home, boundMs: 90_000 });
  return { run, dir };
}

/** The config file on the host: "MODE CONTENT", or MISSING. */
async function config(dir: string): Promise<string> {
  const r = await bed.sh('web1', `f=${dir}/app.conf; if [ -e $f ]; then printf '%s ' $(stat -c %a $f); cat $f; else echo MISSING; fi`);
  return r.stdout.trim();
}

test('the overlap the preflight sees: exit 1 naming both tasks, the host untouched', async () => {
  const { run, dir } = await ploy('before-the-run');
  assert.is(run.code, 1, shown(run));
  assert.match(run.stderr, 'task "Protect the config" started while task "Write the config" is still running on this host: a missing await before the call of "Write the config"?', shown(run));
  assert.not.match(run.stdout, /changed:|ok:/, shown(run));
  assert.is(await config(dir), 'MISSING');
});

test('the overlap only the real run meets: the host fails naming both tasks, the forgotten copy ended, the racing task never ran', async () => {
  const { run, dir } = await ploy('at-run');
  assert.is(run.code, 2, shown(run));
  assert.match(run.stdout, 'task "Protect the config" started while task "Write the config" is still running on this host', shown(run));
  assert.match(run.stdout, /^changed: \[web1\] Write the config$/m, shown(run));
  assert.match(run.stdout, /^web1 +: ok=2 changed=1 unreachable=0 failed=1 /m, shown(run));
  assert.is(await config(dir), '644 port = 8080');
});

test('a copy still running when run() returns: the host fails naming it once the copy ended', async () => {
  const { run, dir } = await ploy('left-running');
  assert.is(run.code, 2, shown(run));
  assert.match(run.stdout, `task "Write the config" was still running when role app's run() returned: a missing await before the call of "Write the config"?`, shown(run));
  const ended = run.stdout.indexOf('changed: [web1] Write the config');
  assert.ok(ended >= 0 && ended < run.stdout.indexOf('was still running'), shown(run));
  assert.is(await config(dir), '644 port = 8080');
});

test('every task awaited: the same role converges and exits 0', async () => {
  const { run, dir } = await ploy('none');
  assert.is(run.code, 0, shown(run));
  assert.is(await config(dir), '600 port = 8080');
});

test.run();
