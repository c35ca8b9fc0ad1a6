import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { modprobe } from '../../lib/modules/modprobe.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

/**
 * What can run here: the bed's kernel has no loadable module support at all (no /proc/modules;
 * its drivers are built in and listed under /sys/module), the containers have no CAP_SYS_MODULE and
 * no kmod. So persistence is tested for real, loading only for a module that is already there
 * (overlay, built in), and a module that would need loading must fail clearly, or be noted with
 * load: 'bestEffort'. Actually running modprobe is not verified here.
 */
let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('m1');
});
test.after(() => h?.stop());

const cat = (path: string) => h.sh(`cat ${path} 2>/dev/null || echo '(missing)'`);

test('a module already there (built in) with persistence: the files are written, nothing is loaded; then ok in one channel', async () => {
  assert.is((await h.sh('test -d /sys/module/overlay && echo there')).trim(), 'there');
  const result = await h.run(modprobe, { name: 'overlay', persistent: 'present', params: { redirect_dir: 'off' } });
  assert.equal(result.changes, [
    'create /etc/modules-load.d/overlay.conf (8 bytes, mode 0644, owner root, group root)',
    'create /etc/modprobe.d/overlay.conf (33 bytes, mode 0644, owner root, group root)',
  ]);
  assert.is(await cat('/etc/modules-load.d/overlay.conf'), 'overlay\n');
  assert.is(await cat('/etc/modprobe.d/overlay.conf'), 'options overlay redirect_dir=off\n');
  assert.equal(result.data, { name: 'overlay', loaded: true, builtin: true, note: '' });
  let again;
  assert.is(await h.channels(async () => (again = await h.run(modprobe, { name: 'overlay', persistent: 'present', params: 'redirect_dir=off' }))), 1);
  assert.is(again!.status, 'ok');
});

test('drift: check mode predicts the rewrite of a changed file, with a diff, and alters nothing', async () => {
  await h.sh("echo 'options overlay redirect_dir=on' > /etc/modprobe.d/overlay.conf && rm /etc/modules-load.d/overlay.conf");
  const args = { name: 'overlay', persistent: 'present', params: 'redirect_dir=off' } as const;
  const planned = await h.run(modprobe, args, { check: true, diff: true });
  assert.equal(planned.changes, ['create /etc/modules-load.d/overlay.conf (8 bytes, mode 0644, owner root, group root)', 'update /etc/modprobe.d/overlay.conf content']);
  assert.match(planned.diff ?? '', '-options overlay redirect_dir=on\n+options overlay redirect_dir=off');
  assert.is(await cat('/etc/modules-load.d/overlay.conf'), '(missing)\n');
  await h.run(modprobe, args);
  assert.is(await cat('/etc/modprobe.d/overlay.conf'), 'options overlay redirect_dir=off\n');
  const removed = await h.run(modprobe, { name: 'overlay', persistent: 'absent' });
  assert.equal(removed.changes, ['remove /etc/modules-load.d/overlay.conf', 'remove /etc/modprobe.d/overlay.conf']);
  assert.is(await cat('/etc/modprobe.d/overlay.conf'), '(missing)\n');
});

test('a module that needs loading fails with every reason, in check mode too; bestEffort persists it and notes why', async () => {
  const reasons = /^cannot load module br_netfilter here: the kernel has no loadable module support \(no \/proc\/modules\); modprobe is not installed \(package kmod\); no CAP_SYS_MODULE capability/;
  await rejects(
    () => h.run(modprobe, { name: 'br_netfilter', persistent: 'present' }, { check: true }),
    (e: Error) => e instanceof TaskFailedError && reasons.test(e.message),
  );
  await rejects(() => h.run(modprobe, { name: 'br_netfilter', persistent: 'present' }), TaskFailedError);
  assert.is(await cat('/etc/modules-load.d/br_netfilter.conf'), '(missing)\n', 'nothing done when the task fails');
  const result = await h.run(modprobe, { name: 'br_netfilter', persistent: 'present', load: 'bestEffort' });
  assert.equal(result.changes, ['create /etc/modules-load.d/br_netfilter.conf (13 bytes, mode 0644, owner root, group root)']);
  assert.match(result.data.note ?? '', reasons);
  assert.is(await cat('/etc/modules-load.d/br_netfilter.conf'), 'br_netfilter\n');
  assert.is((await h.run(modprobe, { name: 'br_netfilter', persistent: 'present', load: 'bestEffort' })).status, 'ok');
});

test('unloading a built-in module is refused; a module that is not there is already absent', async () => {
  await rejects(() => h.run(modprobe, { name: 'overlay', state: 'absent' }), /cannot unload module overlay here: it is built into the kernel/);
  assert.is((await h.run(modprobe, { name: 'br_netfilter', state: 'absent' })).status, 'ok');
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(modprobe, { name: 'br netfilter' }),
    (e: Error) => e instanceof ModuleArgsError && /field "name": modprobe:/.test(e.message),
  );
  await rejects(() => h.run(modprobe, { name: 'loop', params: 'max_loop="8 9"' }), /field "params"/);
  await rejects(() => h.run(modprobe, { name: 'loop', params: { 'bad key': 1 } }), /field "params"/);
  await rejects(() => h.run(modprobe, { name: 'loop', persistent: 'yes' as 'present' }), /field "persistent"/);
  await rejects(() => h.run(modprobe, { name: 'loop', state: 'absent', persistent: 'present' }), /contradict/);
  await rejects(() => h.run(modprobe, { name: 'loop', load: 'maybe' as 'required' }), /field "load"/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
