/** A host runs one task at a time: a task started while the host's previous one runs (a forgotten await) fails, naming both. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { defineModule } from '../../lib/module.ts';
import { TaskLane, TaskLeftRunningError, TaskOverlapError } from '../../lib/runner/task-lane.ts';
import { CountingPool, RecordingReporter, lineFile, localInventory, rejection, runCommand, runOptions, tempDir } from './runner-support.ts';

test('a forgotten await the preflight sees: exit 1 naming both tasks, before any host is touched', async () => {
  const dir = tempDir();
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    async run(t) {
      // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
      t.run('write the config', lineFile, { path: join(dir, 'config'), content: 'x' });
      await t.run('restart', runCommand, { cmd: 'true' });
    },
  });
  const pool = new CountingPool();
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), pool), new RecordingReporter()));
  assert.instance(error, TaskOverlapError);
  assert.is(
    error.message,
    'host a: task "restart" started while task "write the config" is still running on this host: a missing await before the call of "write the config"? (tasks of a host run one at a time)',
  );
  assert.is(pool.gets.size, 0);
  assert.not.ok(existsSync(join(dir, 'config')));
});

test('a forgotten await only a real run reaches: the host fails naming both tasks, the others go on', async () => {
  const dir = tempDir();
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    async run(t) {
      const name = await t.run('read name', runCommand, { cmd: `echo ${t.host.name}` });
      if (name.data.stdout?.trim() === 'b') {
        // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
        t.run('slow', runCommand, { cmd: 'sleep 0.2' });
      }
      await t.run('mark', lineFile, { path: join(dir, t.host.name), content: 'done' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {}, b: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal([summary.stats['a']?.failed, summary.stats['b']?.failed], [0, 1]);
  const failure = reporter
    .of('host-failed')
    .map((e) => JSON.stringify(e))
    .join('\n');
  assert.match(failure, 'task \\"mark\\" started while task \\"slow\\" is still running');
  assert.ok(existsSync(join(dir, 'a')));
  assert.not.ok(existsSync(join(dir, 'b')), 'the racing task did not run');
});

test('awaited tasks, handlers included, run one after another without complaint', async () => {
  const dir = tempDir();
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    handlers: { h: async (t) => void (await t.run('handler task', runCommand, { cmd: 'true' })) },
    async run(t) {
      await t.run('one', lineFile, { path: join(dir, 'one'), content: '1' }, { notify: 'h' });
      await Promise.resolve();
      await t.run('two', runCommand, { cmd: 'true' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 0);
  assert.equal(reporter.results(), ['a one changed', 'a two ok', 'a handler task ok']);
});

test('a task nobody awaits that fails: its host fails on that task, the other hosts go on, no unhandled rejection ends the run', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const role = defineRole({
      name: 'web',
      hosts: 'all',
      defaults: {},
      async run(t) {
        const name = await t.run('read name', runCommand, { cmd: `echo ${t.host.name}` });
        // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
        if (name.data.stdout?.trim() === 'b') t.run('fails later', runCommand, { cmd: 'sleep 0.1; exit 3' });
      },
    });
    const reporter = new RecordingReporter();
    const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {}, b: {} }), new CountingPool()), reporter);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.is(summary.exitCode, 2);
    assert.equal([summary.stats['a']?.failed, summary.stats['b']?.failed], [0, 1]);
    assert.equal(
      reporter.of('host-failed').map((e) => `${e.host} ${e.task ?? ''}`),
      ['b fails later'],
    );
    assert.equal(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a task still running when run() returns: the host fails naming it, once it has ended', async () => {
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    async run(t) {
      const name = await t.run('read name', runCommand, { cmd: `echo ${t.host.name}` });
      // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
      if (name.data.stdout?.trim() === 'b') t.run('slow', runCommand, { cmd: 'sleep 0.2' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {}, b: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal([summary.stats['a']?.failed, summary.stats['b']?.failed], [0, 1]);
  const failed = reporter.of('host-failed');
  assert.equal(
    failed.map((e) => e.message),
    [`host b: task "slow" was still running when role web's run() returned: a missing await before the call of "slow"? (tasks of a host run one at a time)`],
  );
  const order = reporter.events.filter((e) => e.type === 'host-failed' || (e.type === 'task-end' && e.task === 'slow')).map((e) => e.type);
  assert.equal(order, ['task-end', 'host-failed'], 'the forgotten task is reported ended before its host fails');
});

test('a handler that returns with its task still running: the host fails naming the handler', async () => {
  const dir = tempDir();
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    handlers: {
      restart: async (t) => {
        const who = await t.run('who', runCommand, { cmd: 'echo real' });
        // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
        if (who.data.stdout?.trim() === 'real') t.run('slow restart', runCommand, { cmd: 'sleep 0.1' });
      },
    },
    async run(t) {
      await t.run('config', lineFile, { path: join(dir, 'config'), content: 'x' }, { notify: 'restart' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.match(reporter.of('host-failed')[0]?.message ?? '', 'task "slow restart" was still running when handler restart returned');
});

test('the preflight meets a task left running by run() when its call takes a turn (here, a local file read): exit 1, no host touched', async () => {
  const dir = tempDir();
  const readsLocalFile = defineModule<{ src: string }>({
    name: 'reads_local_file',
    validate: (args) => args,
    async prepare(args) {
      await readFile(args.src);
      return args;
    },
    async plan() {
      return { changes: [] };
    },
  });
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('first', lineFile, { path: join(dir, 'first'), content: 'x' });
      // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
      t.run('upload', readsLocalFile, { src: import.meta.filename });
    },
  });
  const pool = new CountingPool();
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), pool), new RecordingReporter()));
  assert.instance(error, TaskLeftRunningError);
  assert.match(error.message, `task "upload" was still running when role web's run() returned`);
  assert.is(pool.gets.size, 0);
  assert.not.ok(existsSync(join(dir, 'first')));
});

test('gathering facts waits its turn too: t.facts() while a task runs fails naming both', async () => {
  const dir = tempDir();
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    async run(t) {
      // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
      t.run('write the config', lineFile, { path: join(dir, 'config'), content: 'x' });
      await t.facts();
    },
  });
  const pool = new CountingPool();
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), pool), new RecordingReporter()));
  assert.instance(error, TaskOverlapError);
  assert.match(error.message, 'task "gather facts" started while task "write the config" is still running');
  assert.is(pool.gets.size, 0);
});

test('TaskLane: one task at a time; leftRunning names the task in flight only after it ended, and a failed task nobody awaits is not an unhandled rejection', async () => {
  const lane = new TaskLane('h');
  let finish: () => void = () => {};
  const first = lane.enter('first', () => new Promise<void>((resolve) => (finish = resolve)));
  assert.throws(
    () => lane.enter('second', async () => undefined),
    (error: Error) => error instanceof TaskOverlapError && /task "second" started while task "first"/.test(error.message),
  );
  let ended = false;
  void first.then(() => (ended = true));
  const left = lane.leftRunning();
  finish();
  assert.is(await left, 'first');
  assert.ok(ended);
  assert.is(await lane.leftRunning(), undefined);
  void lane.enter('fails', () => Promise.reject(new Error('boom')));
  assert.is(await lane.leftRunning(), 'fails');
  assert.is(await lane.enter('after', async () => 'ran'), 'ran');
});

test.run();
