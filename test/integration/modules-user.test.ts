import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { group } from '../../lib/modules/group.ts';
import { user, type UserArgs } from '../../lib/modules/user.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

// `openssl passwd -6 -salt abcdefgh pw1` and `... pw2`: crypt(3) SHA-512 hashes, as the module wants them.
const HASH1 = '$6$abcdefgh$BOw/nV5aU2HJ8o7otKMCN5S.MoSoxPoAUYewKjq5oSqs8UMghGB3x4G4HaPK7NZqL54npGT9hs/qRSokU.4Qt/';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('u1');
  for (const name of ['docker', 'adm2', 'web']) await h.run(group, { name });
});
test.after(() => h?.stop());

const passwd = async (name: string) => (await h.sh(`getent passwd ${name} || true`)).trim();
const groupsOf = async (name: string) => (await h.sh(`id -Gn ${name}`)).trim().split(' ').sort();
const shadowHash = async (name: string) => (await h.sh(`getent shadow ${name} | cut -d: -f2`)).trim();

test('creates a user with uid, groups, shell, comment and a secret password hash; then ok in one channel', async () => {
  const args: UserArgs = { name: 'carol', uid: 1600, groups: ['docker', 'adm2'], shell: '/bin/bash', comment: 'Carol C', password: secret(HASH1) };
  const result = await h.run(user, args);
  assert.equal([result.status, result.changes], ['changed', ['create user carol (uid 1600, groups docker,adm2, shell /bin/bash, password set)']]);
  assert.is(await passwd('carol'), 'carol:x:1600:1600:Carol C:/home/carol:/bin/bash');
  assert.equal(await groupsOf('carol'), ['adm2', 'carol', 'docker']);
  assert.is(await shadowHash('carol'), HASH1);
  assert.is((await h.sh('stat -c %U /home/carol')).trim(), 'carol', 'home created and owned');
  assert.is(result.data.uid, 1600);
  for (const { command } of h.sent) assert.not.match(command, 'BOw/nV5a', 'the hash never goes on a command line');
  let again;
  assert.is(await h.channels(async () => (again = await h.run(user, args))), 1);
  assert.is(again!.status, 'ok', JSON.stringify(again!.changes));
  assert.equal(again!.data, { name: 'carol', uid: 1600, group: 'carol', groups: ['docker', 'adm2'], home: '/home/carol', shell: '/bin/bash' });
});

test('drift: check mode predicts every difference without showing the hash and alters nothing', async () => {
  const args: UserArgs = { name: 'dave', groups: ['docker'], shell: '/bin/bash', password: HASH1 };
  await h.run(user, args);
  await h.sh("usermod -s /bin/sh -G web dave && echo 'dave:$6$other$xyz' | chpasswd -e");
  const planned = await h.run(user, args, { check: true });
  assert.equal([planned.status, planned.changes], ['changed', ['user dave: groups +docker -web, shell /bin/sh -> /bin/bash, password hash changed']]);
  assert.is((await passwd('dave')).split(':')[6], '/bin/sh');
  assert.is(await shadowHash('dave'), '$6$other$xyz');
  assert.is((await h.run(user, args)).status, 'changed');
  assert.is((await passwd('dave')).split(':')[6], '/bin/bash');
  assert.equal(await groupsOf('dave'), ['dave', 'docker']);
  assert.is(await shadowHash('dave'), HASH1);
});

test('append adds groups and keeps the others; updatePassword onCreate leaves an existing hash alone', async () => {
  await h.run(user, { name: 'erin', groups: ['web'] });
  const result = await h.run(user, { name: 'erin', groups: ['docker'], append: true, password: HASH1, updatePassword: 'onCreate' });
  assert.equal(result.changes, ['user erin: groups +docker']);
  assert.equal(await groupsOf('erin'), ['docker', 'erin', 'web']);
  assert.not.equal(await shadowHash('erin'), HASH1);
  assert.is((await h.run(user, { name: 'erin', groups: ['web'], append: true })).status, 'ok');
});

test('a system user without a home; a primary group given by name', async () => {
  const result = await h.run(user, { name: 'svc1', system: true, createHome: false, group: 'web', shell: '/usr/sbin/nologin' });
  assert.is(result.status, 'changed');
  const [, , uid, gid, , home] = (await passwd('svc1')).split(':');
  assert.ok(Number(uid) < 1000);
  assert.is(gid, (await h.sh('getent group web | cut -d: -f3')).trim());
  assert.is((await h.sh(`test -e ${home} && echo yes || echo no`)).trim(), 'no');
});

test('absent removes the user (and with remove its home); missing groups and a taken uid are clear errors', async () => {
  await h.run(user, { name: 'frank' });
  assert.equal((await h.run(user, { name: 'frank', state: 'absent', remove: true }, { check: true })).changes, [
    `remove user frank (uid ${(await passwd('frank')).split(':')[2]}) with its home directory`,
  ]);
  assert.ok(await passwd('frank'));
  assert.is((await h.run(user, { name: 'frank', state: 'absent', remove: true })).status, 'changed');
  assert.is(await passwd('frank'), '');
  assert.is((await h.sh('test -e /home/frank && echo yes || echo no')).trim(), 'no');
  assert.is((await h.run(user, { name: 'frank', state: 'absent' })).status, 'ok');
  await rejects(
    () => h.run(user, { name: 'gina', groups: ['nosuch', 'docker', 'nope'] }),
    (e: Error) => e instanceof TaskFailedError && e.message === 'groups nosuch, nope do not exist (create with the group module first)',
  );
  await rejects(() => h.run(user, { name: 'gina', uid: 1600 }), /uid 1600 is already used by user carol/);
  assert.is(await passwd('gina'), '');
});

test('bad arguments fail in validate, before any channel is opened; a plain password is refused without echoing it', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(user, { name: 'x', password: 'hunter22' }),
    (e: Error) => e instanceof ModuleArgsError && /field "password"/.test(e.message) && !e.message.includes('hunter22'),
  );
  await rejects(() => h.run(user, { name: 'x', shell: 'bash' }), /field "shell": user: must be an absolute path/);
  await rejects(() => h.run(user, { name: 'x', groups: 'docker' as unknown as string[] }), /field "groups"/);
  await rejects(() => h.run(user, { name: 'x', state: 'absent', shell: '/bin/sh' }), /state 'absent' takes only name and remove/);
  await rejects(() => h.run(user, { name: 'x', append: true }), /field "append"/);
  await rejects(() => h.run(user, { name: 'root:0' }), /field "name"/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
