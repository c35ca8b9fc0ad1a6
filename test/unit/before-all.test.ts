/**
 * beforeAll (test/support/before-all.ts) against the real uvu: each case writes a tiny uvu file to a
 * scratch directory and runs it as `npx tsx FILE` would, then reads its output and exit code.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BEFORE_ALL_MODULE, makeScratchUvuProject, type ScratchRun } from '../support/scratch-uvu-project.ts';

const project = makeScratchUvuProject();
test.after(() => project.remove());

/** A suite of two tests whose bodies, later before.each hook and after hook leave a mark on stdout. */
function suiteFile(register: string): string {
  return [
    `import { test } from 'uvu';`,
    `import { beforeAll } from ${JSON.stringify(BEFORE_ALL_MODULE)};`,
    `let bed = '';`,
    register,
    `test.before.each(() => console.log('LATER BEFORE-EACH RAN'));`,
    `test.after(() => console.log('CLEANUP RAN'));`,
    `test('first', () => { if (bed !== 'up') throw new Error('bed is ' + bed); console.log('BODY RAN'); });`,
    `test('second', () => { console.log('BODY RAN'); });`,
    `test.run();`,
    '',
  ].join('\n');
}

function runSuite(name: string, register: string): ScratchRun {
  project.write(`${name}.test.ts`, suiteFile(register));
  return project.run(`${name}.test.ts`);
}

const count = (text: string, part: string) => text.split(part).length - 1;

test('a set-up that throws fails every test with its message, the file exits non-zero, test.after still runs', () => {
  const run = runSuite('throws', `beforeAll(test, async () => { throw new Error('moto_server did not start: spawn moto_server ENOENT'); });`);
  assert.is.not(run.code, 0, run.stdout);
  assert.is(count(run.stdout, 'moto_server did not start: spawn moto_server ENOENT'), 2, run.stdout);
  assert.is(count(run.stdout, 'FAIL'), 2, run.stdout);
  assert.match(run.stdout, '(0 / 2)');
  assert.match(run.stdout, 'CLEANUP RAN');
  assert.not.match(run.stdout, 'BODY RAN');
  assert.not.match(run.stdout, 'LATER BEFORE-EACH RAN');
});

test('a thrown value that is not an Error is shown too', () => {
  const run = runSuite('throws-string', `beforeAll(test, () => { throw 'no free port on the bridge'; });`);
  assert.is.not(run.code, 0, run.stdout);
  assert.match(run.stdout, 'suite set-up threw a non-Error value: no free port on the bridge');
  assert.match(run.stdout, 'CLEANUP RAN');
});

test('a set-up that succeeds runs the tests, which see what it set up', () => {
  const run = runSuite('succeeds', `beforeAll(test, async () => { await new Promise((r) => setTimeout(r, 10)); bed = 'up'; });`);
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, '(2 / 2)');
  assert.is(count(run.stdout, 'BODY RAN'), 2, run.stdout);
  assert.is(count(run.stdout, 'LATER BEFORE-EACH RAN'), 2, run.stdout);
  assert.match(run.stdout, 'CLEANUP RAN');
});

test('why the helper exists: uvu 0.5.6 itself drops an error thrown by test.before and exits 0', () => {
  const run = runSuite('plain-before', `test.before(() => { throw new Error('this error vanishes'); });`);
  assert.is(run.code, 0, 'uvu now reports a throwing test.before; beforeAll and the check in test/run.ts may go');
  assert.not.match(run.stdout + run.stderr, 'this error vanishes');
  assert.match(run.stdout, '(0 / 2)');
});

test.run();
