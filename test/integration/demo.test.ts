/**
 * The main job on the local test bed: `npm run demo` boots a bastion and three servers behind it,
 * converges them with the example play through the real CLI, re-runs it (changed=0) and runs it in
 * check mode (changed=0), then removes the bed. This test runs exactly what the README tells people to.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('npm run demo converges the test bed, then re-runs and checks with no change', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { encoding: 'utf8', timeout: 240_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.is(run.status, 0, output);
  assert.match(run.stdout, /ok +converge/);
  assert.match(run.stdout, /ok +no-change re-run/);
  assert.match(run.stdout, /ok +check mode/);
});

test.run();
