/**
 * The runner against real hosts: Debian 12 containers with systemd and sshd (test/testbed), reached
 * over SSH by the real connection pool, with the built-in modules. One bed for the whole file:
 * a bastion, two public hosts and a private host reachable only through the bastion.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { connectionSpecFor, type ConnectionSpec } from '../../lib/connection/spec.ts';
import { HostKeyError, UnreachableError } from '../../lib/errors.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import type { Inventory } from '../../lib/inventory/types.ts';
import { defineRole, definePlay, type Play, type Role } from '../../lib/role.ts';
import type { RunEvent } from '../../lib/runner/events.ts';
import { runPlay, type RunOptions } from '../../lib/runner/run-play.ts';
import type { Vars } from '../../lib/vars.ts';
import { beforeAll } from '../support/before-all.ts';
import { ObservedPool, Recorder } from '../support/observed-run.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';

let bed: Testbed;
let inventory: Inventory;

function observedPool(knownHostsFile = bed.knownHostsPath): ObservedPool {
  return new ObservedPool(new ConnectionPool({ knownHostsFile, connectTimeoutMs: 5000 }));
}

function options(pool: ObservedPool, extra: Partial<RunOptions> = {}): RunOptions {
  return { inventory, check: false, diff: false, forks: 10, extraVars: {}, projectDir: bed.dir, connections: pool, ...extra };
}

const MOTD = 'managed by ploy\n';

/** Two changes that both notify one handler, which counts its runs in a file on the host. */
const site = defineRole<{ motd: string }, 'restart'>({
  name: 'site',
  hosts: 'all',
  defaults: { motd: MOTD },
  handlers: {
    restart: async (t) => void (await t.shell('count restarts', { cmd: 'echo restart >> /var/tmp/ploy-restarts' })),
  },
  async run(t, vars) {
    await t.file('config dir', { path: '/etc/ploy', state: 'directory', mode: '0755' }, { notify: 'restart' });
    await t.copy('motd', { dest: '/etc/ploy/motd', content: vars.motd, mode: '0644' }, { notify: 'restart' });
  },
});

const sitePlay: Play = definePlay({ name: 'site', roles: [site as Role] });

function stats(summary: { stats: Record<string, { changed: number; ok: number; failed: number; unreachable: number }> }, field: 'changed' | 'ok' | 'failed' | 'unreachable'): Record<string, number> {
  return Object.fromEntries(Object.entries(summary.stats).map(([host, s]) => [host, s[field]]));
}

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'bastion' }, { name: 'pub1' }, { name: 'pub2' }, { name: 'priv1', network: 'private' }], bastion: 'bastion' });
  inventory = await loadInventory(bed.inventoryPath);
});

test.after(async () => {
  await bed?.stop();
});

test('a converge changes every host (the private one through the bastion), runs the twice-notified handler once; a second run changes nothing in one round trip per host (both probes batched), two without batching', async () => {
  const firstReporter = new Recorder();
  const first = await runPlay(sitePlay, options(observedPool()), firstReporter);
  assert.is(first.exitCode, 0, firstReporter.problems());
  assert.equal(stats(first, 'changed'), { bastion: 3, pub1: 3, pub2: 3, priv1: 3 }); // two tasks and the handler
  for (const host of ['bastion', 'pub1', 'pub2', 'priv1']) {
    assert.is((await bed.sh(host, 'cat /etc/ploy/motd')).stdout, MOTD);
    assert.is((await bed.sh(host, 'cat /var/tmp/ploy-restarts')).stdout, 'restart\n', `${host} ran its handler once`);
  }

  const pool = observedPool();
  const reporter = new Recorder();
  const second = await runPlay(sitePlay, options(pool), reporter);
  assert.is(second.exitCode, 0, reporter.problems());
  assert.equal(stats(second, 'changed'), { bastion: 0, pub1: 0, pub2: 0, priv1: 0 });
  assert.equal(stats(second, 'ok'), { bastion: 2, pub1: 2, pub2: 2, priv1: 2 });
  assert.is(reporter.ends().filter((e) => e.handler).length, 0);
  for (const host of ['bastion', 'pub1', 'pub2', 'priv1']) assert.is(pool.channels(host), 1, `${host}: both probes in one channel`);

  const unbatchedPool = observedPool();
  const unbatched = await runPlay(sitePlay, options(unbatchedPool, { batchProbes: false }), new Recorder());
  assert.equal(stats(unbatched, 'changed'), { bastion: 0, pub1: 0, pub2: 0, priv1: 0 });
  for (const host of ['bastion', 'pub1', 'pub2', 'priv1']) assert.is(unbatchedPool.channels(host), 2, `${host}: one channel per no-change module call`);
});

test('--check on a drifted host predicts exactly that change, with --diff, and alters nothing', async () => {
  await bed.sh('pub1', 'echo drifted > /etc/ploy/motd');
  const reporter = new Recorder();
  const summary = await runPlay(sitePlay, options(observedPool(), { check: true, diff: true }), reporter);
  assert.is(summary.exitCode, 0, reporter.problems());
  assert.equal(stats(summary, 'changed'), { bastion: 0, pub1: 1, pub2: 0, priv1: 0 });
  const motd = reporter.ends().find((e) => e.host === 'pub1' && e.task === 'motd');
  assert.is(motd?.result.status, 'changed');
  assert.is(motd?.result.changes.length, 1);
  assert.match(motd?.result.diff ?? '', /^-drifted$/m);
  assert.match(motd?.result.diff ?? '', /^\+managed by ploy$/m);
  // The handler is predicted too, and plans without running.
  assert.equal(
    reporter
      .ends()
      .filter((e) => e.handler)
      .map((e) => [e.host, e.result.status]),
    [['pub1', 'skipped']],
  );
  assert.is((await bed.sh('pub1', 'cat /etc/ploy/motd')).stdout, 'drifted\n');
  assert.is((await bed.sh('pub1', 'cat /var/tmp/ploy-restarts')).stdout, 'restart\n');

  const fix = await runPlay(sitePlay, options(observedPool(), { limit: 'pub1' }), new Recorder());
  assert.equal(stats(fix, 'changed'), { pub1: 2 }); // motd and its handler
  assert.is((await bed.sh('pub1', 'cat /etc/ploy/motd')).stdout, MOTD);
});

test('a private host is reached only through the bastion', async () => {
  const role = defineRole({
    name: 'who',
    hosts: 'priv1',
    defaults: {},
    async run(t) {
      await t.shell('ssh client', { cmd: 'echo $SSH_CONNECTION', readOnly: true });
    },
  });
  const reporter = new Recorder();
  const summary = await runPlay(definePlay({ name: 'who', roles: [role as Role] }), options(observedPool()), reporter);
  assert.is(summary.exitCode, 0, reporter.problems());
  const client = String(reporter.ends()[0]?.result.data['stdout']).split(' ')[0];
  assert.is(client, bed.host('bastion').privateIp);

  const direct = { ...connectionSpecFor(inventory, 'priv1', inventory.host('priv1').vars) };
  delete direct.jump;
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 2000 });
  try {
    await pool.get(direct);
    assert.unreachable('priv1 answered directly');
  } catch (error) {
    assert.instance(error, UnreachableError);
  } finally {
    await pool.closeAll();
  }
});

test('become works when logging in as deploy: root by default, the login user with become: false', async () => {
  const role = defineRole({
    name: 'become',
    hosts: 'pub2',
    defaults: {},
    async run(t) {
      await t.shell('whoami (become)', { cmd: 'id -un', readOnly: true });
      await t.shell('whoami (login)', { cmd: 'id -un', readOnly: true }, { become: false });
      await t.copy('root file', { dest: '/etc/ploy/root-only', content: 'secret-ish\n', mode: '0600', owner: 'root' });
    },
  });
  const extraVars: Vars = { ansible_user: 'deploy', ansible_become: true };
  const reporter = new Recorder();
  const summary = await runPlay(definePlay({ name: 'become', roles: [role as Role] }), options(observedPool(), { extraVars }), reporter);
  assert.is(summary.exitCode, 0, reporter.problems());
  assert.equal(
    reporter
      .ends()
      .slice(0, 2)
      .map((e) => e.result.data['stdout']),
    ['root', 'deploy'],
  );
  assert.is((await bed.sh('pub2', 'stat -c %U:%a /etc/ploy/root-only')).stdout.trim(), 'root:600');
});

test('a host with an unknown host key is refused (unreachable, exit 4) while the others finish', async () => {
  const knownHosts = join(bed.dir, 'known_hosts.without-pub1');
  const pub1 = bed.host('pub1').ip;
  writeFileSync(
    knownHosts,
    readFileSync(bed.knownHostsPath, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith(`${pub1} `))
      .join('\n'),
  );
  const reporter = new Recorder();
  // The bed's ssh_config names its own known_hosts; -o in the inventory's ssh args wins over it.
  const extraVars = { ansible_ssh_extra_args: `-o UserKnownHostsFile=${knownHosts}` };
  const pool = observedPool(knownHosts);
  const summary = await runPlay(sitePlay, options(pool, { extraVars }), reporter);
  assert.is(summary.exitCode, 4);
  assert.equal(stats(summary, 'unreachable'), { bastion: 0, pub1: 1, pub2: 0, priv1: 0 });
  assert.equal(stats(summary, 'ok'), { bastion: 2, pub1: 0, pub2: 2, priv1: 2 });
  const unreachable = reporter.events.filter((e) => e.type === 'host-unreachable');
  assert.is(unreachable.length, 1);
  assert.match((unreachable[0] as { message: string }).message, /host key for pub1 .*is not known/);
  assert.not.match(readFileSync(knownHosts, 'utf8'), new RegExp(`^${pub1.replace(/\./g, '\\.')} `, 'm'));
  assert.instance(pool.failures.get('pub1'), HostKeyError, 'refused by the host key check, not by some other failure to connect');
  assert.equal([...pool.failures.keys()], ['pub1']);
});

test('a stopped host is unreachable: exit 4, the others finish', async () => {
  await bed.stopHost('pub2');
  const started = performance.now();
  const reporter = new Recorder();
  const summary = await runPlay(sitePlay, options(observedPool()), reporter);
  assert.is(summary.exitCode, 4);
  assert.equal(stats(summary, 'unreachable'), { bastion: 0, pub1: 0, pub2: 1, priv1: 0 });
  assert.equal(stats(summary, 'ok'), { bastion: 2, pub1: 2, pub2: 0, priv1: 2 });
  assert.ok(performance.now() - started < 15_000);
});

test.run();
