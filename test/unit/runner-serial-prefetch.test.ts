/**
 * Serial batches: while one batch runs, the next batch's hosts send the probes of their predicted
 * tasks in one round trip, and use the answers only if nothing changed anywhere in the run since.
 * unarchive's guards (creates, versionProbe) are probes batched with the others.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineModule } from '../../lib/module.ts';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { sh } from '../../lib/shell.ts';
import { CountingPool, localInventory, RecordingReporter, runOptions, tempDir } from './runner-support.ts';

const servers = () => localInventory({ s1: {}, s2: {}, s3: {} }, { servers: ['s1', 's2', 's3'] });
const play = (...roles: Role[]) => definePlay({ name: 'p', roles });
const PREFETCHED = 'prefetched during the previous serial batch';

/** A probe that waits: it holds its host's run until the next batch's prefetch has surely landed. */
const slowProbe = defineModule<{ seconds: number }>({
  name: 'slow_probe',
  validate: (args) => args,
  async plan(ctx, args) {
    await ctx.exec(sh`sleep ${String(args.seconds)}`, { probe: true });
    return { changes: [] };
  },
});

function commandsOf(reporter: RecordingReporter, host: string): string[] {
  return reporter
    .of('command')
    .filter((c) => c.host === host && c.batched !== true)
    .map((c) => c.command);
}

test('serial 1, nothing to change: the later batches probe in the round trip prefetched while the batch before ran', async () => {
  const dir = tempDir();
  const role = defineRole({
    name: 'r',
    hosts: 'servers',
    serial: 1,
    defaults: {},
    async run(t) {
      await t.file('a', { path: join(dir, `${t.host.name}-a`), state: 'absent' });
      await t.file('b', { path: join(dir, `${t.host.name}-b`), state: 'absent' });
      await t.file('c', { path: join(dir, `${t.host.name}-c`), state: 'absent' });
    },
  }) as Role;
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(role), runOptions(servers(), pool), reporter);
  assert.is(summary.exitCode, 0);
  assert.ok(
    reporter.results().every((r) => r.endsWith(' ok')),
    reporter.results().join('\n'),
  );
  assert.equal(commandsOf(reporter, 's1'), ['# 3 probes in one round trip']);
  for (const host of ['s2', 's3']) {
    assert.equal(commandsOf(reporter, host), [`# 3 probes in one round trip, ${PREFETCHED}`], host);
    assert.is(pool.connections.get(host)?.channelsOpened, 1, `${host}: one channel in all`);
  }
});

test('something changed on another host after the prefetch: the next batch drops its answers and probes again', async () => {
  const dir = tempDir();
  const shared = join(dir, 'shared');
  writeFileSync(shared, 'x');
  const role = defineRole({
    name: 'r',
    hosts: 'servers',
    serial: 1,
    defaults: {},
    async run(t) {
      if (t.host.name === 's1') {
        await t.run('wait for the prefetch', slowProbe, { seconds: 0.5 });
        await t.file('remove it', { path: shared, state: 'absent' });
      }
      // s2 prefetched this while the file was still there: used, its answer would say "remove it".
      await t.file('gone', { path: shared, state: 'absent' });
    },
  }) as Role;
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(role), runOptions(servers(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 0);
  assert.not.ok(existsSync(shared));
  const gone = reporter.results().filter((r) => r.includes(' gone '));
  assert.equal(gone, ['s1 gone ok', 's2 gone ok', 's3 gone ok']);
  // s2 and s3 both prefetched while s1 ran (up to forks hosts ahead): both probe again.
  for (const host of ['s2', 's3']) {
    const commands = commandsOf(reporter, host);
    assert.ok(commands[0]?.includes(`${PREFETCHED} (a host changed since: each task probes again)`), commands.join('\n'));
    assert.is(commands.length, 2, `${host}: the prefetch, then the real probe`);
  }
});

test('a change delegated to another host also makes the prefetched answers stale', async () => {
  const dir = tempDir();
  const shared = join(dir, 'shared');
  writeFileSync(shared, 'x');
  const role = defineRole({
    name: 'r',
    hosts: 's1:s2',
    serial: 1,
    defaults: {},
    async run(t) {
      if (t.host.name === 's1') {
        await t.run('wait for the prefetch', slowProbe, { seconds: 0.5 });
        await t.file('remove it there', { path: shared, state: 'absent' }, { delegateTo: 's3' });
        return;
      }
      await t.file('gone', { path: shared, state: 'absent' });
    },
  }) as Role;
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(role), runOptions(servers(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 0);
  assert.equal(
    reporter.results().filter((r) => r.includes(' gone ')),
    ['s2 gone ok'],
  );
  assert.ok(commandsOf(reporter, 's2')[0]?.includes('a host changed since'));
});

test('without serial, or with batchProbes off, nothing is prefetched', async () => {
  const dir = tempDir();
  const tasks = async (t: Parameters<Role['run']>[0]) => {
    await t.file('a', { path: join(dir, `${t.host.name}-a`), state: 'absent' });
    await t.file('b', { path: join(dir, `${t.host.name}-b`), state: 'absent' });
  };
  for (const [serial, batchProbes] of [
    [undefined, true],
    [1, false],
  ] as const) {
    const role = defineRole({ name: 'r', hosts: 'servers', ...(serial ? { serial } : {}), defaults: {}, run: tasks }) as Role;
    const reporter = new RecordingReporter();
    await runPlay(play(role), runOptions(servers(), new CountingPool(), { batchProbes }), reporter);
    assert.not.ok(
      reporter.of('command').some((c) => c.command.includes(PREFETCHED)),
      `serial ${serial}, batchProbes ${batchProbes}`,
    );
  }
});

test('a host the prefetch cannot reach fails in its own run, as without a prefetch', async () => {
  const role = defineRole({
    name: 'r',
    hosts: 'servers',
    serial: 1,
    defaults: {},
    async run(t) {
      await t.file('a', { path: join(tempDir(), 'a'), state: 'absent' });
    },
  }) as Role;
  const pool = new CountingPool();
  pool.failing.set('s2', new Error('s2 is down'));
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(role), runOptions(servers(), pool), reporter);
  assert.is(summary.exitCode, 2);
  const failed = reporter.of('host-failed');
  assert.equal(
    failed.map((e) => e.host),
    ['s2'],
  );
  assert.ok(failed[0]?.message.includes('s2 is down'), failed[0]?.message);
  assert.equal(
    reporter.results().filter((r) => r.startsWith('s1')),
    ['s1 a ok'],
  );
});

test("unarchive: creates and versionProbe are probes batched with the other tasks' probes", async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'dest'));
  const role = defineRole({
    name: 'r',
    hosts: 's1',
    defaults: {},
    async run(t) {
      await t.file('a', { path: join(dir, 'a'), state: 'absent' });
      await t.unarchive('tool', {
        url: 'http://127.0.0.1:9/tool-1.2.3.tar.gz',
        sha256: '0'.repeat(64),
        dest: join(dir, 'dest'),
        versionProbe: { cmd: 'echo tool version 1.2.3', expect: 'version 1.2.3' },
      });
      await t.file('b', { path: join(dir, 'b'), state: 'absent' });
    },
  }) as Role;
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(role), runOptions(servers(), pool), reporter);
  assert.is(summary.exitCode, 0);
  assert.equal(reporter.results(), ['s1 a ok', 's1 tool ok', 's1 b ok']);
  assert.equal(commandsOf(reporter, 's1'), ['# 3 probes in one round trip']);
  assert.is(pool.connections.get('s1')?.channelsOpened, 1);
});

test.run();
