/**
 * test/run.ts on scratch suites run by the real uvu CLI: it names the files whose tests uvu left
 * unrun without a word, counts those tests as failed, and keeps its final line and exit code.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeScratchUvuProject, REPO_ROOT } from '../support/scratch-uvu-project.ts';

const RUNNER = join(REPO_ROOT, 'test/run.ts');
const project = makeScratchUvuProject();
test.after(() => project.remove());

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);
const notices = (text: string) => text.split('\n').filter((line) => line.startsWith('!! '));

test('a file whose test.before threw unseen is named, and its tests count as failed', () => {
  project.write('test/mixed/passes.test.ts', `import { test } from 'uvu';\ntest('fine', () => {});\ntest.run();\n`);
  project.write(
    'test/mixed/fails-loudly.test.ts',
    `import { test } from 'uvu';\nimport * as assert from 'uvu/assert';\ntest('wrong', () => assert.is(1, 2));\ntest.skip('later', () => {});\ntest.run();\n`,
  );
  project.write(
    'test/mixed/sub/boots-nothing.test.ts',
    `import { test } from 'uvu';\ntest.before(() => { throw new Error('bed did not boot'); });\ntest('a', () => {});\ntest('b', () => {});\ntest.run();\n`,
  );
  const run = project.run(RUNNER, 'mixed');
  assert.is(run.code, 1, run.stdout);
  assert.equal(notices(run.stdout).length, 1, run.stdout);
  assert.match(notices(run.stdout)[0] ?? '', /^!! test\/mixed\/sub\/boots-nothing\.test\.ts: 2 of 2 tests did not run and uvu printed no failure/);
  assert.is(lastLine(run.stdout), '1 passed, 3 failed, 1 skipped');
});

test('when every test passes or fails with a reason, nothing is named and the exit code stays 0 for a pass', () => {
  project.write('test/clean/one.test.ts', `import { suite } from 'uvu';\nconst s = suite('named');\ns('x', () => {});\ns('y', () => {});\ns.run();\n`);
  project.write('test/clean/two.test.ts', `import { test } from 'uvu';\ntest.only('just this', () => {});\ntest('not this', () => {});\ntest.run();\n`);
  const run = project.run(RUNNER, 'clean');
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.equal(notices(run.stdout), [], run.stdout);
  assert.is(lastLine(run.stdout), '3 passed, 0 failed, 1 skipped');
});

test('when uvu stops before its summary (a throwing test.after), the files without results are named', () => {
  project.write('test/crash/a-after-throws.test.ts', `import { test } from 'uvu';\ntest.after(() => { throw new Error('cleanup failed'); });\ntest('a', () => {});\ntest.run();\n`);
  project.write('test/crash/b-never-reached.test.ts', `import { test } from 'uvu';\ntest('b', () => {});\ntest.run();\n`);
  const run = project.run(RUNNER, 'crash');
  assert.is(run.code, 1, run.stdout);
  assert.match(run.stderr, 'cleanup failed');
  assert.equal(notices(run.stdout), ['!! uvu stopped before its summary; files without results: test/crash/a-after-throws.test.ts, test/crash/b-never-reached.test.ts']);
  assert.is(lastLine(run.stdout), '0 passed, 1 failed, 0 skipped');
});

test.run();
