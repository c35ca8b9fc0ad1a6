/**
 * The bad-input corpus (test/fixtures/bad-input/cases.ts), in-process through playbookMain: each
 * playbook case exits 1 with exactly its expected ERROR line and prints nothing on stdout. The
 * inventory's hosts are a port where nothing listens, so a case that slipped past the preflight
 * would show up as exit 4; the control case (good input) proves that it would.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { playbookMain } from '../../lib/cli/main.ts';
import { badInputCases, fill } from '../fixtures/bad-input/cases.ts';
import { play, projectDir } from '../fixtures/bad-input/play.ts';

const paths = { fixtures: projectDir, inventory: join(projectDir, 'hosts.yml') };

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await playbookMain(play, {
    argv: ['-i', paths.inventory, ...args.map((arg) => fill(arg, paths))],
    projectDir,
    cwd: projectDir,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { NO_COLOR: '1' },
    handleSignals: false,
  });
  return { code, stdout, stderr };
}

for (const badCase of badInputCases.filter((c) => c.program === 'playbook')) {
  test(`${badCase.name}: exit 1, the expected message, nothing run`, async () => {
    const result = await run(badCase.args);
    assert.is(result.code, 1, `${result.stderr}${result.stdout}`);
    assert.is(result.stderr, `${fill(badCase.message, paths)}\n`);
    assert.is(result.stdout, '', 'no play started');
  });
}

test('control: the same play with good input gets past the preflight to the hosts (unreachable here: exit 4)', async () => {
  const result = await run(['-e', 'app_port=8080', '-e', 'bad=mode', '-e', 'bad=none', '--connect-timeout', '2']);
  assert.is(result.code, 4, result.stderr + result.stdout);
  assert.match(result.stdout, /^unreachable: \[web1\] Marker => cannot connect to root@127\.0\.0\.1:9/m);
});

test.run();
