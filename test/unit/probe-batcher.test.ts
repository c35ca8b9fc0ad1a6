/**
 * The probe batcher: which upcoming probes it learns (by running plan() up to its first exec and
 * no further), when its answers are used or dropped, and how far ahead it looks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalConnection } from '../../lib/connection/local.ts';
import { defineModule, type Module, type ModuleContext } from '../../lib/module.ts';
import type { PredictedTask } from '../../lib/runner/predicted-task.ts';
import { isBatchableProbe, ProbeBatcher } from '../../lib/runner/probe-batcher.ts';

/** Code in plan() after its first exec: must never run when the batcher learns a probe. */
const pastTheProbe: string[] = [];

const stat = defineModule<{ path: string }>({
  name: 'stat',
  batchProbes: true,
  validate: (args) => args,
  async plan(ctx, args) {
    await ctx.exec(`stat -- ${args.path}`, { probe: true });
    pastTheProbe.push(args.path);
    return { changes: [] };
  },
});

const run = defineModule<{ cmd: string }>({
  name: 'run',
  batchProbes: true,
  validate: (args) => args,
  async plan(ctx, args) {
    await ctx.exec(args.cmd);
    pastTheProbe.push(args.cmd);
    return { changes: [] };
  },
});

const withStdin = defineModule<{ text: string }>({
  name: 'withStdin',
  batchProbes: true,
  validate: (args) => args,
  async plan(ctx, args) {
    await ctx.exec('cat', { stdin: args.text, probe: true });
    return { changes: [] };
  },
});
const withSecretStdin = defineModule<{ text: string }>({
  name: 'withSecretStdin',
  batchProbes: true,
  validate: (args) => args,
  async plan(ctx, args) {
    await ctx.exec('cat', { stdin: args.text, probe: true, secretStdin: true });
    return { changes: [] };
  },
});

const thrower = defineModule<Record<string, never>>({
  name: 'thrower',
  batchProbes: true,
  validate: (args) => args,
  async plan() {
    throw new Error('plan fails before any exec');
  },
});

const context: ModuleContext = {
  host: 'h',
  vars: {},
  connection: new LocalConnection('h'),
  projectDir: '/',
  wantDiff: false,
  exec: () => Promise.reject(new Error('the batcher must not use the real exec')),
};

function task<A, R>(name: string, module: Module<A, R>, args: A, become?: boolean): PredictedTask {
  return { name, module: module as unknown as Module<unknown, unknown>, args, ...(become !== undefined ? { become } : {}) };
}

const keyOf = (t: PredictedTask): string => (t.become === false ? 'login' : 'sudo:root');
const ok = (stdout: string) => ({ code: 0, stdout, stderr: '', timedOut: false });

test('upcoming: the probes of the tasks after the current one, learned without running past the probe', async () => {
  pastTheProbe.length = 0;
  const predicted = [
    task('a', stat, { path: '/a' }),
    task('b', stat, { path: '/b' }),
    task('cmd', run, { cmd: 'touch /x' }),
    task('c', stat, { path: '/c' }),
    task('again b', stat, { path: '/b' }),
    task('stdin', withStdin, { text: 'x' }),
    task('secret stdin', withSecretStdin, { text: 'the secret' }),
    task('throws', thrower, {}),
    task('as login user', stat, { path: '/d' }, false),
    task('e', stat, { path: '/e' }),
  ];
  const batcher = new ProbeBatcher(predicted);
  batcher.reached('a', stat as unknown as Module<unknown, unknown>);
  const upcoming = await batcher.upcoming('stat -- /a', 'sudo:root', context, keyOf);
  // A stdin goes inside the batch, piped in (a secret one never: the batch is a command line).
  assert.equal(upcoming, ['stat -- /b', 'stat -- /c', "printf '%s' x | {\ncat\n}", 'stat -- /e']);
  assert.equal(pastTheProbe, [], 'no plan went past its first exec');
});

test('reached: the cursor follows the real run by name and module; an unpredicted task leaves it', async () => {
  const predicted = [task('a', stat, { path: '/a' }), task('b', stat, { path: '/b' }), task('c', stat, { path: '/c' })];
  const batcher = new ProbeBatcher(predicted);
  batcher.reached('b', stat as unknown as Module<unknown, unknown>);
  assert.equal(await batcher.upcoming('x', 'sudo:root', context, keyOf), ['stat -- /c']);
  batcher.reached('not predicted', stat as unknown as Module<unknown, unknown>);
  assert.equal(await batcher.upcoming('x', 'sudo:root', context, keyOf), ['stat -- /c']);
  batcher.reached('c', run as unknown as Module<unknown, unknown>);
  assert.equal(await batcher.upcoming('x', 'sudo:root', context, keyOf), ['stat -- /c'], 'same name, other module: not that task');
});

test('answers serve the same command under the same become, until the host may have changed', () => {
  const batcher = new ProbeBatcher([task('a', stat, { path: '/a' })]);
  batcher.store(['stat -- /b'], [ok('b')], 'sudo:root');
  assert.equal(batcher.take('stat -- /b', 'sudo:root'), ok('b'));
  assert.equal(batcher.take('stat -- /b', 'sudo:root'), ok('b'), 'a read-only answer serves again while nothing changed');
  assert.is(batcher.take('stat -- /b', 'login'), undefined, 'another user may see another state');
  assert.is(batcher.take('stat -- /c', 'sudo:root'), undefined);
  batcher.invalidate();
  assert.is(batcher.take('stat -- /b', 'sudo:root'), undefined, 'dropped after a change');
});

test('the window: everything at first; nothing after answers were dropped unused; 1, 2, 4 ... after each task in a row that changed nothing', async () => {
  const predicted = Array.from({ length: 12 }, (_, i) => task(`t${i}`, stat, { path: `/p${i}` }));
  const batcher = new ProbeBatcher(predicted);
  const reach = (i: number) => batcher.reached(`t${i}`, stat as unknown as Module<unknown, unknown>);
  const ahead = async (i: number) => (await batcher.upcoming(`stat -- /p${i}`, 'sudo:root', context, keyOf)).map((c) => c.replace('stat -- /p', ''));
  reach(0);
  const first = await batcher.upcoming('stat -- /p0', 'sudo:root', context, keyOf);
  assert.is(first.length, 11);
  batcher.store(
    first,
    first.map((c) => ok(c)),
    'sudo:root',
  );
  batcher.invalidate(); // t0 changed something: 11 answers never used
  reach(1);
  assert.equal(await ahead(1), [], 'a converge: every probe alone, nothing wasted');
  batcher.invalidate(); // t1 changed something too
  reach(2);
  assert.equal(await ahead(2), []);
  reach(3); // t2 changed nothing
  assert.equal(await ahead(3), ['4']);
  batcher.store(['stat -- /p4'], [ok('4')], 'sudo:root');
  reach(4); // t3 changed nothing
  assert.ok(batcher.take('stat -- /p4', 'sudo:root'));
  reach(5); // t4 changed nothing
  assert.equal(await ahead(5), ['6', '7', '8', '9']);
  batcher.invalidate(); // t5 changed something, but every answer taken was used: the window stays
  reach(6);
  assert.equal(await ahead(6), ['7', '8', '9', '10']);
});

test('a probe only with nothing but a timeout or a text stdin that is no secret besides', () => {
  assert.ok(isBatchableProbe({ probe: true }));
  assert.ok(isBatchableProbe({ probe: true, timeoutMs: 10 }));
  assert.ok(isBatchableProbe({ probe: true, stdin: '' }));
  assert.ok(isBatchableProbe({ probe: true, stdin: 'x' }));
  assert.not.ok(isBatchableProbe({}));
  assert.not.ok(isBatchableProbe({ probe: true, stdin: 'x', secretStdin: true }));
  assert.not.ok(isBatchableProbe({ probe: true, stdin: Buffer.from('x') }));
  assert.not.ok(isBatchableProbe({ probe: true, env: { A: '1' } }));
  assert.not.ok(isBatchableProbe({ probe: true, cwd: '/tmp' }));
  assert.not.ok(isBatchableProbe({ probe: true, secretOutput: true }));
});

test.run();
