import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, UNIT_TEXT, renderedConfig } from '../../bench/lib/desired-state.ts';
import { convergedFacts, differences, freshFacts, parseFacts, probeScript } from '../../bench/lib/host-state.ts';
import { resetScript } from '../../bench/lib/reset.ts';

const sh = (script: string, ...args: string[]) => spawnSync('/bin/sh', [...args, '-c', script], { encoding: 'utf8' });

test('the probe runs under /bin/sh here and prints every fact the check compares, exiting 0', () => {
  const run = sh(probeScript());
  assert.is(run.status, 0, run.stderr);
  const facts = parseFacts(run.stdout);
  assert.equal(Object.keys(facts).sort(), Object.keys(convergedFacts('h', '10.0.0.1')).sort());
  // This controller is not a bench host: the user does not exist and the link is not there.
  assert.is(facts.user, '');
  assert.is(facts.link, '');
  assert.is(facts.key, '0');
});

test('converged and fresh states differ in every fact, so neither check can pass by accident', () => {
  const converged = convergedFacts('b01', '10.231.3.10');
  const fresh = freshFacts();
  assert.equal(Object.keys(fresh).sort(), Object.keys(converged).sort());
  assert.is(differences(converged, fresh).length, Object.keys(converged).length);
  assert.equal(differences(converged, { ...converged }), []);
});

test('the templated file is per host, so a template rendering the wrong host var is caught', () => {
  const b01 = convergedFacts('b01', '10.231.3.10');
  const b02 = convergedFacts('b02', '10.231.3.11');
  assert.is.not(b01['config.sha256'], b02['config.sha256']);
  assert.equal(differences(b01, { ...b01, 'config.sha256': b02['config.sha256'] as string }).length, 1);
  assert.is(renderedConfig('b01', '10.231.3.10'), '# managed by the benchmark\nhost = b01\naddress = 10.231.3.10\nport = 8080\n');
});

test('a difference names the fact, what was expected and what was found', () => {
  assert.equal(differences({ active: 'active', link: '/usr/bin/tree' }, parseFacts('active\tinactive\n')), [
    'active: expected "active", found "inactive"',
    'link: expected "/usr/bin/tree", found nothing',
  ]);
});

test('the unit file both tools copy is the text the check expects', () => {
  const file = readFileSync(join(import.meta.dirname, '..', '..', 'bench', 'play', 'files', 'bench-ticker.service'), 'utf8');
  assert.is(file, UNIT_TEXT);
});

test('the Ansible playbook carries the same values as the desired state', () => {
  const playbook = readFileSync(join(import.meta.dirname, '..', '..', 'bench', 'ansible', 'site.yml'), 'utf8');
  for (const value of [
    ...BENCH.packages,
    BENCH.directory,
    BENCH.unitPath,
    BENCH.templatePath,
    BENCH.line,
    BENCH.user,
    BENCH.shell,
    BENCH.home,
    BENCH.sshDir,
    BENCH.key,
    BENCH.service,
    BENCH.snapshotPath,
    BENCH.linkPath,
    BENCH.linkTarget,
  ]) {
    assert.ok(playbook.includes(String(value)), `site.yml should mention ${value}`);
  }
});

test('the reset script is valid sh and removes the line exactly (dots escaped)', () => {
  assert.is(sh(resetScript(), '-n').status, 0);
  const sed = /sed -i '([^']+)'/.exec(resetScript())?.[1];
  assert.is(sed, '/^10\\.0\\.0\\.10 bench-backend$/d');
  const run = spawnSync('sed', [sed as string], { input: '127.0.0.1 localhost\n10.0.0.10 bench-backend\n10x0x0x10 bench-backend\n', encoding: 'utf8' });
  assert.is(run.stdout, '127.0.0.1 localhost\n10x0x0x10 bench-backend\n');
});

test.run();
