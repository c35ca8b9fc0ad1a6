import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineModule } from '../../lib/module.ts';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { CountingPool, RecordingReporter, localInventory, runCommand, runOptions } from './runner-support.ts';

/** Aborts the run (as the CLI does on a signal) while its own command is in flight. */
function interrupter(controller: AbortController, reason: string) {
  return defineModule<Record<string, never>, { finished: boolean }>({
    name: 'interrupter',
    validate: (args) => args,
    async plan(ctx) {
      setTimeout(() => controller.abort(reason), 50);
      await ctx.exec('sleep 0.3');
      return { changes: [], data: { finished: true } };
    },
  });
}

async function interruptedRun(reason: string) {
  const controller = new AbortController();
  const module = interrupter(controller, reason);
  const role = defineRole<Record<string, never>, 'h'>({
    name: 'r',
    hosts: 'all',
    defaults: {},
    handlers: { h: async (t) => void (await t.run('handler', runCommand, { cmd: 'true' })) },
    async run(t) {
      await t.run('before', runCommand, { cmd: 'true' }, { notify: 'h' });
      await t.run('in flight', module, {});
      await t.run('after', runCommand, { cmd: 'true' });
    },
  });
  const later = defineRole({
    name: 'later',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('later', runCommand, { cmd: 'true' });
    },
  });
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role, later as Role] }), runOptions(localInventory({ a: {}, b: {} }), pool, { forks: 1, signal: controller.signal }), reporter);
  return { summary, reporter, pool };
}

test('SIGINT: the in-flight task finishes, nothing new starts, connections close, exit 130', async () => {
  const { summary, reporter, pool } = await interruptedRun('SIGINT');
  assert.is(summary.interrupted, true);
  assert.is(summary.exitCode, 130);
  assert.equal(reporter.results(), ['a before ok', 'a in flight ok']);
  assert.equal(
    reporter.of('task-start').map((e) => e.task),
    ['before', 'in flight'],
  );
  assert.is(pool.closed, 1);
  const end = reporter.of('play-end')[0];
  assert.is(end?.interrupted, true);
  assert.equal(summary.stats['a']?.failed, 0);
  assert.equal(summary.stats['b'], { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, elapsedMs: 0 });
});

test('SIGINT during a try of a task with until: no new try, and the task says it was interrupted, not that its tries ran out', async () => {
  const controller = new AbortController();
  const module = interrupter(controller, 'SIGINT');
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('wait', module, {}, { retries: 5, delayS: 0.1, until: () => false });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool(), { signal: controller.signal }), reporter);
  assert.is(summary.exitCode, 130);
  assert.is(reporter.of('task-retry').length, 0);
  const end = reporter.of('task-end')[0];
  assert.is(end?.result.msg, 'interrupted before trying again (until is still false after 1 try)');
});

test('SIGTERM as the abort reason gives exit 143', async () => {
  const { summary } = await interruptedRun('SIGTERM');
  assert.is(summary.exitCode, 143);
});

test('a run that is not interrupted reports interrupted: false', async () => {
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('x', runCommand, { cmd: 'true' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool(), { signal: new AbortController().signal }), reporter);
  assert.equal([summary.interrupted, summary.exitCode], [false, 0]);
  assert.is(reporter.of('play-end')[0]?.interrupted, undefined);
});

test.run();
