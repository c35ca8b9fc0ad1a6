import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection, ExecOptions, ExecResult } from '../../lib/connection/connection.ts';
import type { ConnectionSpec } from '../../lib/connection/spec.ts';
import { defineModule } from '../../lib/module.ts';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { secret } from '../../lib/secret.ts';
import { CountingPool, RecordingReporter, lineFile, localInventory, localSpec, recorder, runOptions, tempDir } from './runner-support.ts';

function converge(dir: string): Role {
  return defineRole({
    name: 'files',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('motd', lineFile, { path: join(dir, `${t.host.name}.motd`), content: 'hello\n' });
    },
  }) as Role;
}

test('check mode applies nothing, predicts the change, and --diff carries the diff; then a converge and a no-op run', async () => {
  const dir = tempDir();
  const inventory = localInventory({ a: {}, b: {} });
  writeFileSync(join(dir, 'b.motd'), 'drifted\n');
  const play = definePlay({ name: 'p', roles: [converge(dir)] });

  const checkReporter = new RecordingReporter();
  const check = await runPlay(play, runOptions(inventory, new CountingPool(), { check: true, diff: true }), checkReporter);
  assert.is(check.exitCode, 0);
  assert.not.ok(existsSync(join(dir, 'a.motd')));
  assert.is(readFileSync(join(dir, 'b.motd'), 'utf8'), 'drifted\n');
  assert.equal(checkReporter.results().sort(), ['a motd changed', 'b motd changed']); // hosts run in parallel
  const diffB = checkReporter.of('task-end').find((e) => e.host === 'b')?.result.diff;
  assert.is(diffB, '-drifted\n\n+hello\n');
  assert.equal(checkReporter.of('play-start')[0]?.check, true);
  assert.is(check.stats['a']?.changed, 1);

  const run = await runPlay(play, runOptions(inventory, new CountingPool()), new RecordingReporter());
  assert.is(run.stats['b']?.changed, 1);
  assert.is(readFileSync(join(dir, 'b.motd'), 'utf8'), 'hello\n');

  const pool = new CountingPool();
  const again = await runPlay(play, runOptions(inventory, pool), new RecordingReporter());
  assert.equal([again.stats['a']?.changed, again.stats['b']?.changed, again.stats['a']?.ok], [0, 0, 1]);
  assert.is(pool.channels(), 2); // one probe per host, nothing applied
});

test('t.check tells the role it is in check mode (for display only)', async () => {
  const log: string[] = [];
  const record = recorder(log);
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('x', record, { entry: `check=${t.check}` });
    },
  });
  await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool(), { check: true }), new RecordingReporter());
  assert.equal(log, ['check=true']);
});

/** Records the ExecOptions each command was given. */
class SpyPool extends CountingPool {
  readonly seen: Array<ExecOptions['become']> = [];
  override async get(spec: ConnectionSpec): Promise<Connection> {
    const inner = await super.get(spec);
    const seen = this.seen;
    return {
      host: inner.host,
      get channelsOpened() {
        return inner.channelsOpened;
      },
      exec(command: string, options?: ExecOptions): Promise<ExecResult> {
        seen.push(options?.become);
        return inner.exec(command, { ...options, become: false });
      },
      close: () => inner.close(),
    };
  }
}

test('become: the host spec is the default, task options override it, the password comes from the spec', async () => {
  const probe = defineModule<Record<string, never>>({ name: 'probe', validate: (a) => a, plan: async (ctx) => (await ctx.exec('true'), { changes: [] }) });
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('default', probe, {});
      await t.run('no become', probe, {}, { become: false });
      await t.run('as postgres', probe, {}, { become: true, becomeUser: 'postgres' });
    },
  });
  const password = secret('sudo-pass-123');
  const specFor = (inventory: Parameters<typeof localSpec>[0], host: string): ConnectionSpec => ({ ...localSpec(inventory, host), become: true, becomeUser: 'root', becomePassword: password });
  const pool = new SpyPool();
  await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), pool, { specFor }), new RecordingReporter());
  assert.equal(pool.seen, [{ user: 'root', password }, false, { user: 'postgres', password }]);

  const plain = new SpyPool();
  await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), plain), new RecordingReporter());
  assert.equal(plain.seen, [false, false, { user: 'postgres' }]);
});

test.run();
