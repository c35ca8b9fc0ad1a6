/**
 * --start-at-task through the CLI for a start the preflight pass cannot see: a task called only
 * for some result of an earlier task. The run goes ahead (the preflight cannot rule it out); when
 * a host comes to it, it starts there; when none does, no task ran and the CLI exits 1 saying so.
 * (Tasks before the start are skipped, so the results role code sees there are "skipped" ones, as
 * registered results of skipped tasks are in Ansible.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { playbookMain } from '../../lib/cli/main.ts';
import { definePlay, defineRole, type Role } from '../../lib/role.ts';
import { runCommand } from './runner-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'ploy-start-at-'));
const inventory = join(dir, 'hosts.yml');
writeFileSync(inventory, 'all:\n  vars: { ansible_connection: local }\n  hosts: { h1: {} }\n');

const role = defineRole({
  name: 'r',
  hosts: 'all',
  defaults: {},
  async run(t) {
    const probe = await t.run('probe', runCommand, { cmd: 'echo yes' });
    if (probe.status !== 'ok') await t.run('when the probe did not run', runCommand, { cmd: 'true' });
    if (probe.data.stdout?.trim() === 'yes') await t.run('only after yes', runCommand, { cmd: 'true' });
    await t.run('last', runCommand, { cmd: 'true' });
  },
}) as Role;

async function run(start: string, extra: string[] = []) {
  let out = '';
  let err = '';
  const code = await playbookMain(definePlay({ name: 'p', roles: [role] }), {
    argv: ['-i', inventory, '--start-at-task', start, ...extra],
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    env: { NO_COLOR: '1', TERM: 'dumb' },
    handleSignals: false,
    projectDir: dir,
  });
  return { code, out, err };
}

test('a start behind a result that a host comes to: it starts there', async () => {
  const { code, out, err } = await run('when the probe did not run', ['--json']);
  assert.is(code, 0, err);
  const doc = JSON.parse(out) as { roles: { tasks: { name: string }[] }[] };
  assert.equal(
    doc.roles[0]?.tasks.map((task) => task.name),
    ['when the probe did not run', 'last'],
  );
});

test('a start behind a result that no host comes to: nothing ran, exit 1 saying so', async () => {
  const { code, out, err } = await run('only after yes');
  assert.is(code, 1);
  assert.match(err, /^ERROR: --start-at-task "only after yes": no host came to a task with this name, so no task ran$/m);
  assert.match(out, /h1 : ok=0 changed=0 unreachable=0 failed=0 skipped=0/, out);
});

test.run();
