import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { CommandError, ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { apt } from '../../lib/modules/apt.ts';
import { AptTestRepo } from '../support/apt-repo.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

/**
 * One NAT bed host reaches Debian's mirror (one real, tiny package: sl) and a local flat repository
 * served from the controller on the bed's bridge address, whose versions the test controls
 * (ploy-demo 1.0, later 2.0, with a conffile for purge).
 */
let h: BedModuleHost;
const repo = new AptTestRepo();

beforeAll(test, async () => {
  h = await startModuleBed('p1', { nat: true });
  repo.publish({ name: 'ploy-demo', version: '1.0', conffile: 'setting=1\n' });
  await repo.serve(h.bridge);
  await h.sh(`echo 'deb [trusted=yes] ${repo.url} ./' > /etc/apt/sources.list.d/ploy-test.list`);
});
test.after(async () => {
  await h?.stop();
  await repo.close();
});

const version = async (name: string) => (await h.sh(`dpkg-query -W -f='\${db:Status-Status} \${Version}' ${name} 2>/dev/null || echo unknown`)).trim();

test('a cache update, then packages from the mirror and the local repo; then ok in one channel', async () => {
  const args = { name: ['sl', 'ploy-demo'], updateCache: true, cacheValidTime: 3600 };
  const result = await h.run(apt, args);
  assert.is(result.status, 'changed');
  assert.is(result.changes[0], 'update the package cache (a sources file changed since the last update)');
  assert.match(result.changes[1] ?? '', /^install sl \S+; install ploy-demo \(not in the current package lists\) \(decided again after the cache update\)$/);
  assert.is(await version('ploy-demo'), 'installed 1.0');
  assert.match(await version('sl'), /^installed /);
  assert.ok((await h.sh('test -x /usr/games/sl && echo yes')).includes('yes'));
  assert.is(result.data.installed?.['ploy-demo'], '1.0');
  assert.is(result.data.cacheUpdated, true);
  let again;
  assert.is(await h.channels(async () => (again = await h.run(apt, args))), 1, 'the cache is fresh: no update, one probe');
  assert.is(again!.status, 'ok', JSON.stringify(again!.changes));
});

test('latest: no update while the lists are fresh; after a new release, an update then the upgrade (check mode alters nothing)', async () => {
  repo.publish({ name: 'ploy-demo', version: '2.0', conffile: 'setting=1\n' });
  assert.is((await h.run(apt, { name: 'ploy-demo', state: 'latest', cacheValidTime: 3600 })).status, 'ok', 'fresh lists still say 1.0');
  const args = { name: 'ploy-demo', state: 'latest', updateCache: true } as const;
  const planned = await h.run(apt, args, { check: true });
  assert.equal(planned.changes.slice(1), ['upgrade ploy-demo if needed (decided again after the cache update)']);
  assert.is(await version('ploy-demo'), 'installed 1.0');
  assert.match(await h.sh('apt-cache policy ploy-demo'), 'Candidate: 1.0', 'check mode did not update the lists');
  const result = await h.run(apt, args);
  assert.is(result.status, 'changed');
  assert.equal([result.data.cacheUpdated, result.data.installed], [true, { 'ploy-demo': '2.0' }]);
  assert.is(await version('ploy-demo'), 'installed 2.0');
  assert.equal((await h.run(apt, { name: 'ploy-demo', state: 'latest' })).status, 'ok');
  const update = await h.run(apt, { updateCache: true });
  assert.equal([update.status, update.data.cacheUpdated], ['ok', false], 'an update that changes no list is not a change');
});

test('drift: a package removed by hand; check mode predicts the install with its version and alters nothing', async () => {
  await h.sh('DEBIAN_FRONTEND=noninteractive dpkg -r ploy-demo >/dev/null');
  const planned = await h.run(apt, { name: 'ploy-demo' }, { check: true });
  assert.equal([planned.status, planned.changes], ['changed', ['install ploy-demo 2.0']]);
  assert.is(await version('ploy-demo'), 'config-files 2.0');
  assert.is((await h.run(apt, { name: 'ploy-demo' })).status, 'changed');
  assert.is(await version('ploy-demo'), 'installed 2.0');
});

test('absent removes and keeps the conffile; purge then removes the config files too', async () => {
  const sl = (await version('sl')).split(' ')[1];
  assert.equal((await h.run(apt, { name: ['ploy-demo', 'sl'], state: 'absent' })).changes, [`remove ploy-demo 2.0, sl ${sl}`]);
  assert.is(await version('ploy-demo'), 'config-files 2.0');
  assert.is((await h.sh('cat /etc/ploy-demo.conf')).trim(), 'setting=1');
  assert.is((await h.run(apt, { name: 'ploy-demo', state: 'absent' })).status, 'ok');
  const purged = await h.run(apt, { name: 'ploy-demo', state: 'absent', purge: true });
  assert.equal([purged.changes, purged.data.removed], [['purge ploy-demo (config files)'], ['ploy-demo']]);
  assert.is((await h.sh('test -e /etc/ploy-demo.conf && echo yes || echo no')).trim(), 'no');
  assert.is((await h.run(apt, { name: 'ploy-demo', state: 'absent', purge: true })).status, 'ok');
});

/** Hold dpkg's frontend lock (an fcntl lock, as apt takes it) for some seconds from a background process; its PID. */
async function holdLock(seconds: number): Promise<string> {
  const script = `import fcntl, time; f = open('/var/lib/dpkg/lock-frontend', 'w'); fcntl.lockf(f, fcntl.LOCK_EX); open('/tmp/locked', 'w').close(); time.sleep(${seconds})`;
  const pid = (await h.sh(`rm -f /tmp/locked; setsid python3 -c "${script}" >/dev/null 2>&1 & echo $!`)).trim();
  await h.sh('for i in $(seq 50); do [ -e /tmp/locked ] && exit 0; sleep 0.1; done; exit 1');
  return pid;
}

test('a lock held by another process: apt waits for it within lockTimeout, and fails clearly past it', async () => {
  const holder = await holdLock(3);
  const started = Date.now();
  assert.is((await h.run(apt, { name: 'ploy-demo', lockTimeout: 30 })).status, 'changed');
  assert.ok(Date.now() - started >= 1500, `waited ${Date.now() - started} ms for the lock`);
  assert.is(await version('ploy-demo'), 'installed 2.0');
  await h.sh(`while kill -0 ${holder} 2>/dev/null; do sleep 0.1; done`);
  const blocker = await holdLock(30);
  try {
    const held = /^remove ploy-demo 2.0 failed: the apt\/dpkg lock was still held after lockTimeout 1 s \(Could not get lock \/var\/lib\/dpkg\/lock-frontend. It is held by process \d+ \(python3\)\)$/;
    await rejects(
      () => h.run(apt, { name: 'ploy-demo', state: 'absent', lockTimeout: 1 }),
      (e: Error) => e instanceof CommandError && held.test(e.message),
    );
  } finally {
    await h.sh(`kill ${blocker}`);
  }
  assert.is(await version('ploy-demo'), 'installed 2.0');
});

test('an unknown or virtual package fails in the plan, in check mode too, naming it', async () => {
  await rejects(
    () => h.run(apt, { name: ['sl', 'no-such-package-ploy'] }, { check: true }),
    (e: Error) => e instanceof TaskFailedError && e.message === 'no package named no-such-package-ploy in the package lists (a typo, or the lists need updateCache: true)',
  );
  await rejects(() => h.run(apt, { name: 'mail-transport-agent' }), /mail-transport-agent has no installation candidate \(a virtual package\? name the real one\)/);
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(apt, { name: 'curl=7.88' }),
    (e: Error) => e instanceof ModuleArgsError && /field "name": apt: not a Debian package name: "curl=7.88" \(versions and architectures are not supported/.test(e.message),
  );
  await rejects(() => h.run(apt, { name: 'Curl' }), /field "name"/);
  await rejects(() => h.run(apt, { name: ['jq', 'jq'] }), /names jq twice/);
  await rejects(() => h.run(apt, { name: 'jq', state: 'installed' as 'present' }), /field "state"/);
  await rejects(() => h.run(apt, { name: 'jq', cacheValidTime: -1 }), /field "cacheValidTime"/);
  await rejects(() => h.run(apt, { name: 'jq', cacheValidTime: 60, updateCache: false }), /no meaning with updateCache: false/);
  await rejects(() => h.run(apt, { name: 'jq', purge: true }), /only state 'absent' takes purge/);
  await rejects(() => h.run(apt, {}), /give package names, or updateCache: true/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
