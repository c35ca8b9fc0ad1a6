/** lineinfile on a real test-bed host, over SSH as deploy with sudo. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { lineinfile, type LineinfileArgs, type LineinfileData } from '../../lib/modules/lineinfile.ts';
import type { TaskResult } from '../../lib/result.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('li1');
  await h.sh('mkdir -p /etc/li && printf "# sshd\\nPermitRootLogin yes\\nUsePAM yes\\n" > /etc/li/sshd_config');
});
test.after(() => h?.stop());

const run = (args: LineinfileArgs, options: { check?: boolean; diff?: boolean } = {}) => h.run(lineinfile, args, options);

test('converge replaces the line; a second run is ok in ONE channel', async () => {
  const args: LineinfileArgs = { path: '/etc/li/sshd_config', regexp: '^PermitRootLogin ', line: 'PermitRootLogin no' };
  const result = await run(args);
  assert.is(result.status, 'changed');
  assert.equal(result.changes, ['update /etc/li/sshd_config content: line replaced']);
  assert.is(await h.sh('cat /etc/li/sshd_config'), '# sshd\nPermitRootLogin no\nUsePAM yes\n');
  assert.is(await h.sh('stat -c "%a %U" /etc/li/sshd_config'), '644 root\n', 'mode and owner kept');
  let again: TaskResult<LineinfileData> | undefined;
  assert.is(await h.channels(async () => (again = await run(args))), 1);
  assert.is(again?.status, 'ok');
});

test('drift by hand: check mode predicts it with a diff from the same single probe, and alters nothing', async () => {
  const args: LineinfileArgs = { path: '/etc/li/sshd_config', regexp: '^PermitRootLogin ', line: 'PermitRootLogin no' };
  await run(args);
  await h.sh("sed -i 's/^PermitRootLogin no/PermitRootLogin prohibit-password/' /etc/li/sshd_config");
  let planned: TaskResult<LineinfileData> | undefined;
  assert.is(await h.channels(async () => (planned = await run(args, { check: true, diff: true }))), 1, 'the probe read the old text already');
  assert.is(planned?.status, 'changed');
  assert.match(planned?.diff ?? '', '-PermitRootLogin prohibit-password\n+PermitRootLogin no\n');
  assert.is(await h.sh('grep ^Permit /etc/li/sshd_config'), 'PermitRootLogin prohibit-password\n', 'check mode changed nothing');
  assert.is((await run(args)).status, 'changed');
  assert.is(await h.sh('grep ^Permit /etc/li/sshd_config'), 'PermitRootLogin no\n');
});

test('insertAfter puts a new line after the last match; state absent removes it again', async () => {
  await h.sh('printf "[a]\\nx=1\\n[b]\\ny=2\\n" > /etc/li/ini');
  await run({ path: '/etc/li/ini', line: 'z=3', insertAfter: '^\\[a\\]' });
  assert.is(await h.sh('cat /etc/li/ini'), '[a]\nz=3\nx=1\n[b]\ny=2\n');
  const removed = await run({ path: '/etc/li/ini', state: 'absent', regexp: '^[xz]=' });
  assert.equal([removed.status, removed.data.found, removed.data.msg], ['changed', 2, '2 line(s) removed']);
  assert.is(await h.sh('cat /etc/li/ini'), '[a]\n[b]\ny=2\n');
});

test('create: a missing file and directory are made with the asked owner and mode, atomically', async () => {
  const args: LineinfileArgs = { path: '/etc/li/new/d/app.env', line: 'PORT=8080', create: true, owner: 'deploy', mode: '0640' };
  const planned = await run(args, { check: true });
  assert.equal(planned.changes, ['create /etc/li/new/d/app.env (10 bytes, mode 0640, owner deploy): line added']);
  assert.is(await h.sh('test -e /etc/li/new && echo yes || echo no'), 'no\n');
  await run(args);
  assert.is(await h.sh('cat /etc/li/new/d/app.env; stat -c "%a %U" /etc/li/new/d/app.env /etc/li/new/d'), 'PORT=8080\n640 deploy\n755 root\n');
  assert.is(await h.sh('ls -a /etc/li/new/d'), '.\n..\napp.env\n', 'no temp file left');
  assert.is((await run(args)).status, 'ok');
});

test('attribute drift alone is a chmod, predicted in check mode', async () => {
  const args: LineinfileArgs = { path: '/etc/li/new/d/app.env', line: 'PORT=8080', mode: '0640' };
  await h.sh('chmod 0666 /etc/li/new/d/app.env');
  assert.equal((await run(args, { check: true })).changes, ['/etc/li/new/d/app.env: mode 0666 -> 0640']);
  assert.is(await h.sh('stat -c %a /etc/li/new/d/app.env'), '666\n');
  await run(args);
  assert.is(await h.sh('stat -c %a /etc/li/new/d/app.env'), '640\n');
});

test('a symbolic link is followed: the target is edited and the link stays a link', async () => {
  await h.sh('printf "a=1\\n" > /etc/li/real.conf && ln -sfn real.conf /etc/li/link.conf');
  const result = await run({ path: '/etc/li/link.conf', regexp: '^a=', line: 'a=2' });
  assert.is(result.data.dest, '/etc/li/real.conf');
  assert.is(await h.sh('readlink /etc/li/link.conf; cat /etc/li/real.conf'), 'real.conf\na=2\n');
});

test('backup keeps the old file', async () => {
  await h.sh('printf "v=1\\n" > /etc/li/b.conf');
  const result = await run({ path: '/etc/li/b.conf', regexp: '^v=', line: 'v=2', backup: true });
  const backup = result.data.backupFile ?? '';
  assert.match(backup, /^\/etc\/li\/b\.conf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
  assert.is(await h.sh(`cat ${backup} /etc/li/b.conf`), 'v=1\nv=2\n');
});

test('a missing file: absent is ok, present without create fails naming the path', async () => {
  assert.is((await run({ path: '/etc/li/none', state: 'absent', line: 'x' })).status, 'ok');
  await rejects(
    () => run({ path: '/etc/li/none', line: 'x' }),
    (error: Error) => error instanceof TaskFailedError && /\/etc\/li\/none does not exist \(set create: true/.test(error.message),
  );
});

test('files that are not text to edit are refused clearly', async () => {
  await h.sh("printf 'a\\377\\376\\n' > /etc/li/latin1 && mkdir -p /etc/li/dir && head -c 4200000 /dev/zero > /etc/li/big");
  await rejects(() => run({ path: '/etc/li/latin1', line: 'x' }), /\/etc\/li\/latin1 is not UTF-8 text/);
  await rejects(() => run({ path: '/etc/li/dir', line: 'x' }), /\/etc\/li\/dir is a directory/);
  await rejects(() => run({ path: '/etc/li/big', line: 'x' }), /too large to edit line by line \(4200000 bytes/);
  assert.is(await h.sh("od -An -c /etc/li/latin1 | tr -s ' '"), ' a 377 376 \\n\n', 'untouched');
});

test('validate runs on the new content before it replaces the file', async () => {
  await h.sh('printf "ok\\n" > /etc/li/v.conf');
  await rejects(() => run({ path: '/etc/li/v.conf', line: 'bad', validate: '! grep -q bad %s' }), /validation failed/);
  assert.is(await h.sh('cat /etc/li/v.conf'), 'ok\n');
  await run({ path: '/etc/li/v.conf', line: 'good', validate: '! grep -q bad %s' });
  assert.is(await h.sh('cat /etc/li/v.conf'), 'ok\ngood\n');
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  const before = h.connection.channelsOpened;
  await rejects(() => run({ path: 'relative', line: 'x' }), ModuleArgsError);
  await rejects(() => run({ path: '/etc/li/x', line: 'x', regexp: '([' }), /field "regexp"/);
  await rejects(() => run({ path: '/etc/li/x', state: 'absent' }), /needs one of line, regexp or searchString/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
