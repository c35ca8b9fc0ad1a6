import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { sysctl } from '../../lib/modules/sysctl.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

/**
 * The bed's containers see /proc/sys read-only (nspawn mounts it so, and drops CAP_NET_ADMIN, so even
 * net.* keys cannot be set over SSH). kernel.domainname belongs to the container's own UTS namespace:
 * the test makes just that one file writable (a read-write bind mount over it, done from outside), so
 * setting it touches nothing beyond the test host. Every other key stays read-only, which the
 * read-only case uses (vm.swappiness).
 */
const KEY = 'kernel.domainname';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('y1');
  await h.sh('f=/proc/sys/kernel/domainname; mount --bind $f $f && mount -o remount,bind,rw $f');
});
test.after(() => h?.stop());

const live = async () => (await h.sh('cat /proc/sys/kernel/domainname')).trim();
const conf = (file = '/etc/sysctl.d/99-ploy.conf') => h.sh(`cat ${file} 2>/dev/null || true`);

test('persists the key and sets it live; then ok in one channel', async () => {
  assert.is(await live(), '(none)');
  const result = await h.run(sysctl, { name: KEY, value: 'ploy.test' });
  assert.equal([result.status, result.changes], ['changed', [`persist ${KEY} = ploy.test in /etc/sysctl.d/99-ploy.conf`, `set ${KEY} (none) -> ploy.test (live)`]]);
  assert.is(await conf(), `${KEY} = ploy.test\n`);
  assert.is(await live(), 'ploy.test');
  let again;
  assert.is(await h.channels(async () => (again = await h.run(sysctl, { name: KEY, value: 'ploy.test' }))), 1);
  assert.equal([again!.status, again!.data], ['ok', { name: KEY, file: '/etc/sysctl.d/99-ploy.conf', live: 'ploy.test' }]);
});

test('the persisted file is what systemd-sysctl applies at boot', async () => {
  await h.sh('echo boot.lost > /proc/sys/kernel/domainname');
  await h.sh('/lib/systemd/systemd-sysctl /etc/sysctl.d/99-ploy.conf');
  assert.is(await live(), 'ploy.test');
});

test('drift: live and persisted values are both compared; check mode predicts, with a diff, and alters nothing', async () => {
  await h.sh(`echo drifted > /proc/sys/kernel/domainname && printf '# mine\\n${KEY}=old\\n' > /etc/sysctl.d/99-ploy.conf`);
  const planned = await h.run(sysctl, { name: KEY, value: 'ploy.test' }, { check: true, diff: true });
  assert.equal([planned.status, planned.changes], ['changed', [`persist ${KEY} = ploy.test in /etc/sysctl.d/99-ploy.conf (was old)`, `set ${KEY} drifted -> ploy.test (live)`]]);
  assert.match(planned.diff ?? '', ` # mine\n-${KEY}=old\n+${KEY} = ploy.test`);
  assert.is(await live(), 'drifted');
  assert.is(await conf(), `# mine\n${KEY}=old\n`);
  assert.is((await h.run(sysctl, { name: KEY, value: 'ploy.test' })).status, 'changed');
  assert.is(await live(), 'ploy.test');
  assert.is(await conf(), `# mine\n${KEY} = ploy.test\n`);
});

test('a read-only key is a clear error before anything changes; reload: false persists it only', async () => {
  const swappiness = (await h.sh('cat /proc/sys/vm/swappiness')).trim();
  const wanted = swappiness === '10' ? '11' : '10';
  await rejects(
    () => h.run(sysctl, { name: 'vm.swappiness', value: wanted }, { check: true }),
    (e: Error) => e instanceof TaskFailedError && e.message.startsWith('vm.swappiness is read-only here (/proc/sys/vm/swappiness cannot be written: /proc/sys is mounted read-only'),
  );
  await rejects(() => h.run(sysctl, { name: 'vm.swappiness', value: wanted }), TaskFailedError);
  assert.not.match(await conf(), 'swappiness');
  const persisted = await h.run(sysctl, { name: 'vm/swappiness', value: Number(wanted), reload: false, file: '/etc/sysctl.d/60-vm.conf' });
  assert.equal(persisted.changes, [`persist vm.swappiness = ${wanted} in /etc/sysctl.d/60-vm.conf`]);
  assert.is(await conf('/etc/sysctl.d/60-vm.conf'), `vm.swappiness = ${wanted}\n`);
  assert.is((await h.run(sysctl, { name: 'vm.swappiness', value: wanted, reload: false, file: '/etc/sysctl.d/60-vm.conf' })).status, 'ok');
  assert.is(swappiness, (await h.sh('cat /proc/sys/vm/swappiness')).trim());
});

test('an unknown key fails unless only persisted; absent removes its line and leaves the live value', async () => {
  await rejects(() => h.run(sysctl, { name: 'net.nosuch.key', value: 1 }), /unknown sysctl key net.nosuch.key: \/proc\/sys\/net\/nosuch\/key does not exist/);
  const removed = await h.run(sysctl, { name: KEY, state: 'absent' });
  assert.equal(removed.changes, [`remove ${KEY} from /etc/sysctl.d/99-ploy.conf`]);
  assert.is(await conf(), '# mine\n');
  assert.is(await live(), 'ploy.test');
  assert.is((await h.run(sysctl, { name: KEY, state: 'absent' })).status, 'ok');
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(sysctl, { name: KEY }),
    (e: Error) => e instanceof ModuleArgsError && /field "value": sysctl: state 'present' needs a value/.test(e.message),
  );
  await rejects(() => h.run(sysctl, { name: 'net..x', value: 1 }), /field "name"/);
  await rejects(() => h.run(sysctl, { name: '-x', value: 1 }), /field "name"/);
  await rejects(() => h.run(sysctl, { name: KEY, value: 'a\nb' }), /field "value"/);
  await rejects(() => h.run(sysctl, { name: KEY, state: 'absent', value: 1 }), /takes no value/);
  await rejects(() => h.run(sysctl, { name: KEY, value: 1, file: 'sysctl.conf' }), /field "file"/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
