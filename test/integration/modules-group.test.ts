import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { group } from '../../lib/modules/group.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('g1');
});
test.after(() => h?.stop());

const entry = async (name: string) => (await h.sh(`getent group ${name} || true`)).trim();

test('creates a group with its gid, then ok in one channel', async () => {
  const result = await h.run(group, { name: 'ops', gid: 2345 });
  assert.equal([result.status, result.changes, result.data], ['changed', ['create group ops (gid 2345)'], { name: 'ops', gid: 2345 }]);
  assert.is(await entry('ops'), 'ops:x:2345:');
  let again;
  assert.is(await h.channels(async () => (again = await h.run(group, { name: 'ops', gid: 2345 }))), 1);
  assert.equal([again!.status, again!.data], ['ok', { name: 'ops', gid: 2345 }]);
});

test('a system group gets a gid below 1000, reported in data', async () => {
  const result = await h.run(group, { name: 'svc', system: true });
  assert.is(result.status, 'changed');
  const gid = Number((await entry('svc')).split(':')[2]);
  assert.ok(gid > 0 && gid < 1000, String(gid));
  assert.is(result.data.gid, gid);
});

test('gid drift: check mode predicts groupmod and alters nothing; converge fixes it', async () => {
  await h.run(group, { name: 'web', gid: 2400 });
  await h.sh('groupmod -g 2401 web');
  const planned = await h.run(group, { name: 'web', gid: 2400 }, { check: true });
  assert.equal([planned.status, planned.changes], ['changed', ['group web: gid 2401 -> 2400']]);
  assert.is(await entry('web'), 'web:x:2401:');
  assert.is((await h.run(group, { name: 'web', gid: 2400 })).status, 'changed');
  assert.is(await entry('web'), 'web:x:2400:');
});

test('absent removes the group; a gid held by another group is a clear error', async () => {
  await h.run(group, { name: 'gone', gid: 2500 });
  assert.equal((await h.run(group, { name: 'gone', state: 'absent' }, { check: true })).changes, ['remove group gone (gid 2500)']);
  assert.ok(await entry('gone'));
  assert.is((await h.run(group, { name: 'gone', state: 'absent' })).status, 'changed');
  assert.is(await entry('gone'), '');
  assert.is((await h.run(group, { name: 'gone', state: 'absent' })).status, 'ok');
  await rejects(
    () => h.run(group, { name: 'other', gid: 2345 }),
    (e: Error) => e instanceof TaskFailedError && e.message === 'gid 2345 is already used by group ops',
  );
  assert.is(await entry('other'), '');
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(group, { name: 'Bad Name' }),
    (e: Error) => e instanceof ModuleArgsError && /field "name"/.test(e.message),
  );
  await rejects(() => h.run(group, { name: 'x', gid: '12' as unknown as number }), /field "gid": group: must be a whole number/);
  await rejects(() => h.run(group, { name: 'x', state: 'gone' as 'absent' }), /field "state"/);
  await rejects(() => h.run(group, { name: 'x', members: [] } as never), /field "members": group: unknown argument/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
