import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { CommandError, ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { planContent } from '../../lib/modules/support/content-plan.ts';
import { sudoers } from '../../lib/modules/sudoers.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('s1');
  await h.sh('useradd -m -s /bin/sh kim');
});
test.after(() => h?.stop());

const RULE = 'kim ALL=(root) NOPASSWD: /usr/bin/id';
const asKim = async (command: string) => (await h.bed.sh('s1', `su kim -c ${JSON.stringify(command)}`)).stdout.trim();

test('writes a drop-in 0440 root:root that sudo honours; then ok in one channel', async () => {
  assert.is(await asKim('sudo -n /usr/bin/id -u 2>/dev/null || echo refused'), 'refused');
  const result = await h.run(sudoers, { name: 'kim-id', rules: [RULE] });
  assert.equal([result.status, result.changes], ['changed', ['create /etc/sudoers.d/kim-id (37 bytes, mode 0440, owner root, group root)']]);
  assert.is(await h.sh('cat /etc/sudoers.d/kim-id'), `${RULE}\n`);
  assert.is((await h.sh('stat -c "%a %U %G" /etc/sudoers.d/kim-id')).trim(), '440 root root');
  assert.is(await asKim('sudo -n /usr/bin/id -u'), '0');
  let again;
  assert.is(await h.channels(async () => (again = await h.run(sudoers, { name: 'kim-id', rules: [RULE] }))), 1);
  assert.is(again!.status, 'ok');
});

test('drift: check mode shows the diff and alters nothing; converge puts the rules back', async () => {
  await h.sh(`echo 'kim ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/kim-id`);
  const planned = await h.run(sudoers, { name: 'kim-id', rules: [RULE] }, { check: true, diff: true });
  assert.is(planned.status, 'changed');
  assert.match(planned.diff ?? '', `-kim ALL=(ALL) NOPASSWD: ALL\n+${RULE}`);
  assert.is(await h.sh('cat /etc/sudoers.d/kim-id'), 'kim ALL=(ALL) NOPASSWD: ALL\n');
  await h.run(sudoers, { name: 'kim-id', rules: [RULE] });
  assert.is(await h.sh('cat /etc/sudoers.d/kim-id'), `${RULE}\n`);
  assert.is((await h.sh('stat -c %a /etc/sudoers.d/kim-id')).trim(), '440');
});

test('content visudo rejects fails in the plan (check mode too), naming the error; the old file stays', async () => {
  const broken = { name: 'kim-id', content: 'kim ALL=(root NOPASSWD: /usr/bin/id\n' };
  await rejects(
    () => h.run(sudoers, broken, { check: true }),
    (e: Error) => e instanceof TaskFailedError && /^visudo rejects the new \/etc\/sudoers.d\/kim-id: .*syntax error/.test(e.message),
  );
  await rejects(() => h.run(sudoers, broken), TaskFailedError);
  assert.is(await h.sh('cat /etc/sudoers.d/kim-id'), `${RULE}\n`);
  assert.is(await asKim('sudo -n /usr/bin/id -u'), '0');
});

test('the validate hook runs on the temp file before the rename: a rejected write leaves the old file and no temp', async () => {
  await h.sh("printf 'ok\\n' > /tmp/validated");
  const ctx = h.context();
  const plan = await planContent(ctx, { dest: '/tmp/validated', content: 'not good\n', validate: 'grep -q ok %s' });
  await rejects(
    () => plan.changes[0]!.apply(),
    (e: Error) => e instanceof CommandError && e.message.includes('validation failed (grep -q ok %s); /tmp/validated left unchanged'),
  );
  assert.is(await h.sh('cat /tmp/validated'), 'ok\n');
  assert.is((await h.sh('ls -A /tmp | grep -c "^.ploy-" || true')).trim(), '0');
  const good = await planContent(ctx, { dest: '/tmp/validated', content: 'ok again\n', validate: 'grep -q ok %s' });
  await good.changes[0]!.apply();
  assert.is(await h.sh('cat /tmp/validated'), 'ok again\n');
});

test('absent removes the drop-in', async () => {
  assert.equal((await h.run(sudoers, { name: 'kim-id', state: 'absent' }, { check: true })).changes, ['remove /etc/sudoers.d/kim-id']);
  assert.is((await h.run(sudoers, { name: 'kim-id', state: 'absent' })).status, 'changed');
  assert.is((await h.sh('test -e /etc/sudoers.d/kim-id && echo yes || echo no')).trim(), 'no');
  assert.is(await asKim('sudo -n /usr/bin/id -u 2>/dev/null || echo refused'), 'refused');
  assert.is((await h.run(sudoers, { name: 'kim-id', state: 'absent' })).status, 'ok');
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(sudoers, { name: 'kim.conf', rules: [RULE] }),
    (e: Error) => e instanceof ModuleArgsError && /field "name": sudoers: .*sudo ignores files/.test(e.message),
  );
  await rejects(() => h.run(sudoers, { name: 'backup~', rules: [RULE] }), /field "name"/);
  await rejects(() => h.run(sudoers, { name: 'x', rules: [RULE], content: RULE }), /either content or rules, not both/);
  await rejects(() => h.run(sudoers, { name: 'x' }), /give content or rules/);
  await rejects(() => h.run(sudoers, { name: 'x', rules: ['a\nb'] }), /field "rules"/);
  await rejects(() => h.run(sudoers, { name: 'x', state: 'absent', rules: [RULE] }), /state 'absent' takes no rules/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
