import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundlePlay } from '../../bench/lib/bundle.ts';

const root = join(import.meta.dirname, '..', '..');

test('the bundled play starts with plain node, every module inside, and answers --help', async () => {
  const { path, buildMs } = await bundlePlay(root, `.site.bundle.test-${process.pid}.mjs`);
  try {
    assert.ok(buildMs > 0);
    const run = spawnSync(process.execPath, [path, '--help'], { encoding: 'utf8', cwd: root });
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stdout, /Runs the play "bench", its roles in order:\n {2}bench \(hosts: all\)/);
    assert.match(run.stdout, /--forks N/);
  } finally {
    rmSync(path, { force: true });
  }
});

test.run();
