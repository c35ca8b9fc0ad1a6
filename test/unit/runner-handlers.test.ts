import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRole, definePlay } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { CountingPool, RecordingReporter, appendLine, lineFile, localInventory, runOptions, tempDir } from './runner-support.ts';

const read = (path: string): string[] => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean);

/** A role that changes two files, notifying handlers as told, and logs every handler run to `log`. */
function roleWith(dir: string, notifies: { first: Array<'restart' | 'reload'>; second: Array<'restart' | 'reload'> }, flushBetween = false) {
  const log = join(dir, 'log');
  return {
    log,
    role: defineRole<Record<string, never>, 'reload' | 'restart'>({
      name: 'svc',
      hosts: 'all',
      defaults: {},
      handlers: {
        // Definition order: reload before restart, whatever the notification order.
        reload: async (t) => void (await t.run('reload it', appendLine, { path: log, line: `reload ${t.host.name}` })),
        restart: async (t) => void (await t.run('restart it', appendLine, { path: log, line: `restart ${t.host.name}` })),
      },
      async run(t) {
        const host = t.host.name;
        await t.run('first file', lineFile, { path: join(dir, `${host}.a`), content: 'A' }, { notify: notifies.first });
        if (flushBetween) await t.flush();
        await t.run('second file', lineFile, { path: join(dir, `${host}.b`), content: 'B' }, { notify: notifies.second });
        await t.run('task after', appendLine, { path: log, line: `task ${host}` });
      },
    }),
  };
}

test('a handler notified twice runs once, at the end of the role, in definition order', async () => {
  const dir = tempDir();
  const { role, log } = roleWith(dir, { first: ['restart'], second: ['restart', 'reload'] });
  const reporter = new RecordingReporter();
  await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(localInventory({ h1: {} }), new CountingPool()), reporter);
  assert.equal(read(log), ['task h1', 'reload h1', 'restart h1']);
  const handlerEnds = reporter.of('task-end').filter((e) => e.handler);
  assert.equal(
    handlerEnds.map((e) => e.task),
    ['reload it', 'restart it'],
  );
});

test('flush() runs pending handlers now; a handler notified again after a flush runs again', async () => {
  const dir = tempDir();
  const { role, log } = roleWith(dir, { first: ['restart'], second: ['restart'] }, true);
  await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(localInventory({ h1: {} }), new CountingPool()), new RecordingReporter());
  assert.equal(read(log), ['restart h1', 'task h1', 'restart h1']);
});

test('handlers run only when a task changed something, per host', async () => {
  const dir = tempDir();
  const { role, log } = roleWith(dir, { first: ['restart'], second: [] });
  const options = runOptions(localInventory({ h1: {}, h2: {} }), new CountingPool());
  await runPlay(definePlay({ name: 'p', roles: [role] }), options, new RecordingReporter());
  assert.equal(
    read(log)
      .filter((l) => l.startsWith('restart'))
      .sort(),
    ['restart h1', 'restart h2'],
  );
  // Second run: nothing changes, so nothing is notified.
  await runPlay(definePlay({ name: 'p', roles: [role] }), { ...options, connections: new CountingPool() }, new RecordingReporter());
  assert.equal(read(log).filter((l) => l.startsWith('restart')).length, 2);
});

test('a host that fails does not run its notified handlers; the other host does', async () => {
  const dir = tempDir();
  const log = join(dir, 'log');
  const role = defineRole<Record<string, never>, 'restart'>({
    name: 'svc',
    hosts: 'all',
    defaults: {},
    handlers: { restart: async (t) => void (await t.run('restart it', appendLine, { path: log, line: `restart ${t.host.name}` })) },
    async run(t) {
      await t.run('config', lineFile, { path: join(dir, `${t.host.name}.conf`), content: 'x' }, { notify: 'restart' });
      if (t.host.name === 'bad') t.fail('something is wrong');
    },
  });
  const summary = await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(localInventory({ good: {}, bad: {} }), new CountingPool()), new RecordingReporter());
  assert.equal(read(log), ['restart good']);
  assert.is(summary.exitCode, 2);
});

test('in check mode a predicted change notifies, and the handler plans without applying', async () => {
  const dir = tempDir();
  const { role, log } = roleWith(dir, { first: ['restart'], second: [] });
  const reporter = new RecordingReporter();
  await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(localInventory({ h1: {} }), new CountingPool(), { check: true }), reporter);
  const handler = reporter.of('task-end').find((e) => e.handler);
  assert.is(handler?.task, 'restart it');
  assert.is(handler?.result.status, 'changed');
  assert.throws(() => readFileSync(log), /ENOENT/);
});

test('a failing handler task fails the host', async () => {
  const dir = tempDir();
  const role = defineRole<Record<string, never>, 'restart'>({
    name: 'svc',
    hosts: 'all',
    defaults: {},
    handlers: { restart: async (t) => void (await t.run('restart it', lineFile, { path: join(dir, 'missing-dir', 'x'), content: 'x' })) },
    async run(t) {
      await t.run('config', lineFile, { path: join(dir, 'conf'), content: 'x' }, { notify: 'restart' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(localInventory({ h1: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal(reporter.results(), ['h1 config changed', 'h1 restart it failed']);
  assert.is(summary.stats['h1']?.failed, 1);
});

test.run();
