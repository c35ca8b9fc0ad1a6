import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { authorizedKey } from '../../lib/modules/authorized-key.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;
let keys = '';
const pub: string[] = [];

beforeAll(test, async () => {
  keys = mkdtempSync(join(tmpdir(), 'ploy-keys-'));
  for (const name of ['k1', 'k2', 'k3']) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@laptop`, '-f', join(keys, name)]);
    pub.push(readFileSync(join(keys, `${name}.pub`), 'utf8').trim());
  }
  h = await startModuleBed('a1');
  await h.sh('useradd -m -s /bin/sh kim && useradd -m -s /bin/sh lee && useradd -m -s /bin/sh max');
});
test.after(async () => {
  await h?.stop();
  rmSync(keys, { recursive: true, force: true });
});

const k1 = () => pub[0] ?? '';
const k2 = () => pub[1] ?? '';
const k3 = () => pub[2] ?? '';
const file = (user: string) => h.sh(`cat /home/${user}/.ssh/authorized_keys`);

/** Log in as user with one of the generated keys: sshd's StrictModes checks the modes and owners too. */
async function canLogIn(user: string, key: string): Promise<boolean> {
  const spec = h.spec(user);
  const probe = new ConnectionPool({ knownHostsFile: h.bed.knownHostsPath, connectTimeoutMs: 5000 });
  try {
    const connection = await probe.get({ ...spec, endpoint: { ...spec.endpoint, privateKeyFile: join(keys, key) } });
    return (await connection.exec('id -un')).stdout.trim() === user;
  } catch {
    return false;
  } finally {
    await probe.closeAll();
  }
}

test('adds a key: ~/.ssh 0700 and the file 0600, owned by the user, and the key logs in; then ok in one channel', async () => {
  const result = await h.run(authorizedKey, { user: 'kim', key: k1() });
  assert.is(result.status, 'changed');
  assert.equal(result.changes, ['create /home/kim/.ssh (mode 0700, owner kim)', `/home/kim/.ssh/authorized_keys: add ssh-ed25519 ...${k1().split(' ')[1]?.slice(-8)} k1@laptop`]);
  assert.is(await file('kim'), `${k1()}\n`);
  assert.is((await h.sh('stat -c "%a %U %G" /home/kim/.ssh /home/kim/.ssh/authorized_keys')).trim(), '700 kim kim\n600 kim kim');
  assert.equal(result.data, { path: '/home/kim/.ssh/authorized_keys', keys: 1 });
  assert.ok(await canLogIn('kim', 'k1'));
  assert.not.ok(await canLogIn('kim', 'k2'));
  let again;
  assert.is(await h.channels(async () => (again = await h.run(authorizedKey, { user: 'kim', key: k1() }))), 1);
  assert.is(again!.status, 'ok');
});

test('a second key is appended; the same key with another comment or options replaces its line in place', async () => {
  await h.run(authorizedKey, { user: 'lee', key: [k1(), k2()] });
  const [type, blob] = k1().split(' ');
  const restricted = `from="10.0.0.0/8",no-pty ${type} ${blob} lee@work`;
  const result = await h.run(authorizedKey, { user: 'lee', key: restricted });
  assert.match(result.changes[0] ?? '', /replace ssh-ed25519 \.\.\.\S+ k1@laptop \(options "" -> "from=\\"10.0.0.0\/8\\",no-pty"\)/);
  assert.is(await file('lee'), `${restricted}\n${k2()}\n`);
  assert.is((await h.run(authorizedKey, { user: 'lee', key: restricted })).status, 'ok');
  const recommented = `from="10.0.0.0/8",no-pty ${type} ${blob} lee@home`;
  assert.match((await h.run(authorizedKey, { user: 'lee', key: recommented })).changes[0] ?? '', /\(comment -> "lee@home"\)$/);
  assert.is(await file('lee'), `${recommented}\n${k2()}\n`);
});

test('drift: a key added by hand; exclusive check mode predicts its removal with a diff and alters nothing', async () => {
  await h.run(authorizedKey, { user: 'max', key: k1() });
  await h.sh(`printf '# added by hand\\n%s\\n' '${k3()}' >> /home/max/.ssh/authorized_keys`);
  assert.is((await h.run(authorizedKey, { user: 'max', key: k1() })).status, 'ok', 'not exclusive: other keys are fine');
  const planned = await h.run(authorizedKey, { user: 'max', key: k1(), exclusive: true }, { check: true, diff: true });
  assert.is(planned.status, 'changed');
  assert.match(planned.changes[0] ?? '', /remove ssh-ed25519 \.\.\.\S+ k3@laptop \(exclusive\), drop 1 comment or blank line \(exclusive\)/);
  assert.match(planned.diff ?? '', `-# added by hand\n-${k3()}`);
  assert.is(await file('max'), `${k1()}\n# added by hand\n${k3()}\n`);
  assert.ok(await canLogIn('max', 'k3'));
  assert.is((await h.run(authorizedKey, { user: 'max', key: k1(), exclusive: true })).status, 'changed');
  assert.is(await file('max'), `${k1()}\n`);
  assert.not.ok(await canLogIn('max', 'k3'));
});

test('mode drift on the file and the directory is put back; absent removes the key only', async () => {
  await h.sh('chmod 0755 /home/kim/.ssh && chmod 0644 /home/kim/.ssh/authorized_keys');
  const planned = await h.run(authorizedKey, { user: 'kim', key: k1() }, { check: true });
  assert.equal(planned.changes, ['/home/kim/.ssh: mode 0755 -> 0700', '/home/kim/.ssh/authorized_keys: mode 0644 -> 0600']);
  await h.run(authorizedKey, { user: 'kim', key: k1() });
  assert.is((await h.sh('stat -c %a /home/kim/.ssh /home/kim/.ssh/authorized_keys')).trim(), '700\n600');
  await h.run(authorizedKey, { user: 'kim', key: k2() });
  const removed = await h.run(authorizedKey, { user: 'kim', key: k1(), state: 'absent' });
  assert.is(removed.status, 'changed');
  assert.is(await file('kim'), `${k2()}\n`);
  assert.is((await h.run(authorizedKey, { user: 'kim', key: k1(), state: 'absent' })).status, 'ok');
  assert.is((await h.run(authorizedKey, { user: 'nobody', key: k1(), state: 'absent', path: '/nonexistent/keys' })).status, 'ok');
});

test('an unknown user fails clearly; bad arguments fail in validate, before any channel is opened', async () => {
  await rejects(
    () => h.run(authorizedKey, { user: 'ghost', key: k1() }),
    (e: Error) => e instanceof TaskFailedError && e.message === 'user ghost does not exist',
  );
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(authorizedKey, { user: 'kim', key: 'ssh-ed25519 not*base64 x' }),
    (e: Error) => e instanceof ModuleArgsError && /field "key": authorizedKey: not a public key line/.test(e.message),
  );
  await rejects(() => h.run(authorizedKey, { user: 'kim', key: [k1(), `${k1()} other comment`] }), /the same key is given twice/);
  await rejects(() => h.run(authorizedKey, { user: 'kim', key: k1(), state: 'absent', exclusive: true }), /field "exclusive"/);
  await rejects(() => h.run(authorizedKey, { user: 'kim', key: k1(), path: 'keys' }), /field "path"/);
  await rejects(() => h.run(authorizedKey, { user: 'kim', key: '# only a comment' }), /holds no key/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
