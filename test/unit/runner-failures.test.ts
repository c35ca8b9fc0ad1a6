import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnreachableError } from '../../lib/errors.ts';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { secret } from '../../lib/secret.ts';
import { CountingPool, RecordingReporter, lineFile, localInventory, recorder, runCommand, runOptions, tempDir } from './runner-support.ts';

const threeHosts = () => localInventory({ a: {}, b: {}, c: {} });

/** A role whose second task fails on host b; `after` records which hosts got past it. */
function failingOn(bad: string, options: { ignoreErrors?: boolean } = {}) {
  const after: string[] = [];
  const record = recorder(after);
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('first', runCommand, { cmd: 'true' });
      const r = await t.run('maybe fails', runCommand, { cmd: t.host.name === bad ? 'echo oops >&2; exit 3' : 'true' }, options);
      await t.run('record', record, { entry: `${t.host.name}:${r.status}:${String((r.data as { rc?: number }).rc ?? '')}` });
      await t.run('last', runCommand, { cmd: 'true' });
    },
  });
  return { role: role as Role, after };
}

test('a failing task stops its host only; the others go on; exit 2', async () => {
  const { role, after } = failingOn('b');
  const tail = defineRole({
    name: 'tail',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('tail', runCommand, { cmd: 'true' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role, tail as Role] }), runOptions(threeHosts(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal(after.sort(), ['a:ok:', 'c:ok:']);
  assert.equal(summary.stats['b'], { ok: 1, changed: 0, unreachable: 0, failed: 1, skipped: 0, elapsedMs: summary.stats['b']?.elapsedMs ?? 0 });
  const failed = reporter.of('host-failed');
  assert.equal(
    failed.map((e) => [e.host, e.role, e.task]),
    [['b', 'r', 'maybe fails']],
  );
  assert.match(failed[0]?.message ?? '', /rc=3/);
  assert.match(failed[0]?.message ?? '', /oops/);
  assert.is(failed[0]?.stack, undefined);
  // b failed in role r: role tail runs on a and c only.
  assert.equal(
    reporter.of('role-start').map((e) => e.hosts),
    [
      ['a', 'b', 'c'],
      ['a', 'c'],
    ],
  );
});

test('ignoreErrors: the failed result goes back to the role, which goes on; reported as ignored; exit 0', async () => {
  const { role, after } = failingOn('b', { ignoreErrors: true });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(threeHosts(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 0);
  assert.equal(after.sort(), ['a:ok:', 'b:failed:3', 'c:ok:']);
  const ignored = reporter.of('task-end').filter((e) => e.ignored);
  assert.equal(
    ignored.map((e) => [e.host, e.result.status]),
    [['b', 'failed']],
  );
  assert.is(reporter.of('host-failed').length, 0);
  assert.is(summary.stats['b']?.failed, 0);
  assert.is(summary.stats['b']?.ok, 4); // first, the ignored failure, record, last
});

test('an unreachable host: exit 4, the others finish, it is left out of later roles, one get() for it', async () => {
  const pool = new CountingPool();
  pool.failing.set('b', new UnreachableError('b', 'connect ECONNREFUSED 10.0.0.2:22'));
  const r1 = defineRole({
    name: 'one',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('ping', runCommand, { cmd: 'true' }, { ignoreErrors: true });
      await t.run('pong', runCommand, { cmd: 'true' });
    },
  });
  const r2 = defineRole({
    name: 'two',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('again', runCommand, { cmd: 'true' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [r1 as Role, r2 as Role] }), runOptions(threeHosts(), pool), reporter);
  assert.is(summary.exitCode, 4);
  assert.equal(summary.stats['b'], { ok: 0, changed: 0, unreachable: 1, failed: 0, skipped: 0, elapsedMs: summary.stats['b']?.elapsedMs ?? 0 });
  assert.equal(
    reporter.of('host-unreachable').map((e) => e.host),
    ['b'],
  );
  assert.match(reporter.of('host-unreachable')[0]?.message ?? '', /ECONNREFUSED/);
  assert.equal(
    reporter.results().filter((r) => r.startsWith('b ')),
    ['b ping failed'],
  );
  assert.equal(reporter.results().filter((r) => !r.startsWith('b ')).length, 6);
  assert.equal(Object.fromEntries(pool.gets), { a: 1, b: 1, c: 1 });
  assert.is(pool.closed, 1);
});

test('unreachable (4) outranks failed (2) in the exit code', async () => {
  const pool = new CountingPool();
  pool.failing.set('c', new UnreachableError('c', 'no route to host'));
  const { role } = failingOn('b');
  const summary = await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(threeHosts(), pool), new RecordingReporter());
  assert.is(summary.exitCode, 4);
});

test('a bug in role code (TypeError) fails that host with the message, and the stack for -vvv', async () => {
  const role = defineRole({
    name: 'buggy',
    hosts: 'all',
    defaults: {},
    async run(t) {
      const r = await t.run('probe', runCommand, { cmd: 'true' });
      if (t.host.name === 'a') (r.data as unknown as { missing: { field: string } }).missing.field.trim();
      await t.run('after', runCommand, { cmd: 'true' });
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(threeHosts(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  const [failed] = reporter.of('host-failed');
  assert.is(failed?.host, 'a');
  assert.is(failed?.task, undefined);
  assert.match(failed?.message ?? '', /Cannot read properties of undefined/);
  assert.match(failed?.stack ?? '', /TypeError[\s\S]*runner-failures\.test\.ts/);
  assert.equal(reporter.results().filter((r) => r.endsWith('after ok')).length, 2);
});

test('role code that swallows the stop does not un-fail the host: later tasks do not run, handlers neither', async () => {
  const ran: string[] = [];
  const record = recorder(ran);
  const role = defineRole<Record<string, never>, 'h'>({
    name: 'swallow',
    hosts: 'all',
    defaults: {},
    handlers: { h: async (t) => void (await t.run('handler', record, { entry: 'handler' })) },
    async run(t) {
      await t.run('change', lineFile, { path: join(tempDir(), 'x'), content: 'x' }, { notify: 'h' });
      try {
        await t.run('fails', runCommand, { cmd: 'exit 1' });
      } catch {
        ran.push('caught');
      }
      try {
        await t.run('after', record, { entry: 'after ran' });
      } catch {
        ran.push('after refused');
      }
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), reporter);
  assert.equal(ran, ['caught', 'after refused']);
  assert.is(summary.exitCode, 2);
  assert.equal(reporter.results(), ['a change changed', 'a fails failed']);
});

test('t.fail() fails the host with its message (secrets masked)', async () => {
  const token = secret('s3cr3t-t0ken-value');
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      t.fail(`token ${token.reveal()} was refused`);
    },
  });
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal(
    reporter.of('host-failed').map((e) => e.message),
    ['token *** was refused'],
  );
  assert.is(summary.stats['a']?.failed, 1);
});

test('command events carry the masked command, rc, output and time; connections are opened once per host', async () => {
  const password = secret('hunter2-password');
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('echo', runCommand, { cmd: `echo ${password.reveal()} | wc -c` });
      await t.run('again', runCommand, { cmd: 'echo hi' });
    },
  });
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  await runPlay(definePlay({ name: 'p', roles: [role as Role, role as Role] }), runOptions(localInventory({ a: {}, b: {} }), pool), reporter);
  const commands = reporter.of('command').filter((e) => e.host === 'a');
  assert.is(commands.length, 4);
  assert.is(commands[0]?.command, 'echo *** | wc -c');
  assert.is(commands[0]?.stdout.trim(), '17');
  assert.is(commands[0]?.code, 0);
  assert.ok((commands[0]?.elapsedMs ?? -1) >= 0);
  assert.not.ok(JSON.stringify(reporter.events).includes('hunter2'));
  assert.equal(Object.fromEntries(pool.gets), { a: 1, b: 1 });
  assert.is(pool.channels(), 8);
});

test.run();
