/**
 * `npm run demo` is the cluster rehearsal the README tells people to run: site.ts --check on fresh
 * hosts, converge, a no-change re-run and one role, on a bastion and three servers behind it, with
 * the stand-ins named. This test runs exactly that and holds it to its own verdicts.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('npm run demo: check, converge, a re-run with no change, one role; the stand-ins named; the bed removed', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { encoding: 'utf8', timeout: 600_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.is(run.status, 0, output);
  for (const step of [/ok +site\.ts --check on fresh hosts/, /ok +site\.ts: converge the cluster/, /ok +site\.ts again: nothing to change/, /ok +site\.ts --role k3s-server/])
    assert.match(run.stdout, step);
  assert.match(run.stdout, /stand-ins: +k3s \(a Python program/);
  assert.match(run.stdout, /Test bed removed\./);
});

test.run();
