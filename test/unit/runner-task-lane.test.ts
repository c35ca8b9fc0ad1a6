/** A host runs one task at a time: a task started while the host's previous one runs (a forgotten await) fails, naming both. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { TaskOverlapError } from '../../lib/runner/task-lane.ts';
import { CountingPool, RecordingReporter, lineFile, localInventory, rejection, runCommand, runOptions, tempDir } from './runner-support.ts';

test('a forgotten await the preflight sees: exit 1 naming both tasks, before any host is touched', async () => {
  const dir = tempDir();
  const role = defineRole({ name: 'web', hosts: 'all', defaults: {}, async run(t) {
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
    t.run('write the config', lineFile, { path: join(dir, 'config'), content: 'x' });
    await t.run('restart', runCommand, { cmd: 'true' });
  } });
  const pool = new CountingPool();
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), pool), new RecordingReporter()));
  assert.instance(error, TaskOverlapError);
  assert.is(error.message, 'host a: task "restart" started while task "write the config" is still running on this host: a missing await before the call of "write the config"? (tasks of a host run one at a time)');
  assert.is(pool.gets.size, 0);
  assert.not.ok(existsSync(join(dir, 'config')));
});

test('a forgotten await only a real run reaches: the host fails naming both tasks, the others go on', async () => {
  const dir = tempDir();
  const role = defineRole({ name: 'web', hosts: 'all', defaults: {}, async run(t) {
    const name = await t.run('read name', runCommand, { cmd: `echo ${t.host.name}` });
    if (name.data.stdout?.trim() === 'b') {
      // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the mistake under test
      t.run('slow', runCommand, { cmd: 'sleep 0.2' });
    }
    await t.run('mark', lineFile, { path: join(dir, t.host.name), content: 'done' });
  } });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {}, b: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal([summary.stats['a']?.failed, summary.stats['b']?.failed], [0, 1]);
  const failure = reporter.of('host-failed').map((e) => JSON.stringify(e)).join('\n');
  assert.match(failure, 'task \\"mark\\" started while task \\"slow\\" is still running');
  assert.ok(existsSync(join(dir, 'a')));
  assert.not.ok(existsSync(join(dir, 'b')), 'the racing task did not run');
});

test('awaited tasks, handlers included, run one after another without complaint', async () => {
  const dir = tempDir();
  const role = defineRole({ name: 'web', hosts: 'all', defaults: {}, handlers: { h: async (t) => void (await t.run('handler task', runCommand, { cmd: 'true' })) },
    async run(t) {
      await t.run('one', lineFile, { path: join(dir, 'one'), content: '1' }, { notify: 'h' });
      await Promise.resolve();
      await t.run('two', runCommand, { cmd: 'true' });
    } });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 0);
  assert.equal(reporter.results(), ['a one changed', 'a two ok', 'a handler task ok']);
});

test.run();
