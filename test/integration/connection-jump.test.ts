import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { connectionSpecFor, type ConnectionSpec } from '../../lib/connection/spec.ts';
import { noSshConfig } from '../../lib/connection/ssh-config.ts';
import { HostKeyError, UnreachableError } from '../../lib/errors.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import type { Inventory } from '../../lib/inventory/types.ts';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { bedInventory, bedSpec, failure } from '../support/bed-connection.ts';

let bed: Testbed;
let inventory: Inventory;

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'bastion' }, { name: 'p1', network: 'private' }, { name: 'p2', network: 'private' }], bastion: 'bastion' });
  inventory = bedInventory(bed, { p2: { ploy_jump_host: undefined, ansible_ssh_common_args: '-o ProxyJump=bastion,p1' } });
});

test.after(async () => {
  await bed?.stop();
});

const specOf = (host: string): ConnectionSpec => connectionSpecFor(inventory, host, inventory.host(host).vars, noSshConfig);

/** Established TCP connections to sshd on a host, as the host itself sees them. */
async function sshdConnections(host: string): Promise<string[]> {
  const r = await bed.sh(host, `ss -Htn state established '( sport = :22 )'`);
  return r.stdout.split('\n').filter((line) => line.trim());
}

test('a private host is reached through the bastion, over one shared connection to it', async () => {
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath });
  try {
    const p1Spec = specOf('p1');
    assert.is(p1Spec.jump?.name, 'bastion');
    const [p1, bastion, again] = await Promise.all([pool.get(p1Spec), pool.get(specOf('bastion')), pool.get(specOf('p1'))]);
    assert.is(p1, again);
    assert.equal(await p1.exec('hostname'), { code: 0, stdout: 'p1\n', stderr: '', timedOut: false });
    assert.equal(await bastion.exec('hostname'), { code: 0, stdout: 'bastion\n', stderr: '', timedOut: false });
    assert.is(pool.openConnections().length, 2);
    assert.is((await sshdConnections('bastion')).length, 1, 'the bastion sees one connection from the controller');
    const onP1 = await sshdConnections('p1');
    assert.is(onP1.length, 1);
    assert.match(onP1[0] ?? '', bed.host('bastion').privateIp ?? '?', "p1 is reached from the bastion's private address");
  } finally {
    await pool.closeAll();
  }
});

test("the bed's own inventory.yml (loadInventory, -F ssh_config, ploy_jump_host) gives working specs", async () => {
  const loaded = await loadInventory(bed.inventoryPath);
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath });
  try {
    for (const host of ['bastion', 'p1', 'p2']) {
      const spec = connectionSpecFor(loaded, host, loaded.host(host).vars);
      assert.is(spec.endpoint.privateKeyFile, bed.keyPath);
      assert.is(spec.jump?.name, host === 'bastion' ? undefined : 'bastion');
      assert.is((await (await pool.get(spec)).exec('hostname')).stdout, `${host}\n`);
    }
    assert.is((await sshdConnections('bastion')).length, 1);
  } finally {
    await pool.closeAll();
  }
});

test('a private host is NOT reachable from the controller directly', async () => {
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 2000 });
  const { error, ms } = await failure(() => pool.get(bedSpec(bed, 'p1')));
  assert.instance(error, UnreachableError);
  assert.match(error.message, `p1: `);
  // What this proves: the pool gave up on its own connect timeout (2 s), not ssh2's or the pool's
  // default (10 s), and did not wait it out twice: a margin of a whole timeout, not a tight clock.
  if (/timed out/.test(error.message)) assert.match(error.message, 'timed out after 2000 ms');
  assert.ok(ms < 2 * 2000, `took ${ms} ms: the 2 s connect timeout was waited out more than once`);
  await pool.closeAll();
});

test('nested jumps: p2 through bastion then p1 (-o ProxyJump=bastion,p1)', async () => {
  const spec = specOf('p2');
  assert.equal([spec.jump?.name, spec.jump?.jump?.name], ['p1', 'bastion']);
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath });
  try {
    const p2 = await pool.get(spec);
    assert.is((await p2.exec('hostname')).stdout, 'p2\n');
    assert.is(pool.openConnections().length, 3);
    assert.match((await sshdConnections('p2'))[0] ?? '', bed.host('p1').ip, 'p2 is reached from p1');
  } finally {
    await pool.closeAll();
  }
});

test('the host key of a host behind a jump is checked, by its address as the jump host sees it', async () => {
  const file = join(bed.dir, 'known_hosts_without_p1');
  const p1 = bed.host('p1').ip;
  writeFileSync(
    file,
    readFileSync(bed.knownHostsPath, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith(`${p1} `))
      .join('\n'),
  );
  const pool = new ConnectionPool({ knownHostsFile: file });
  try {
    const { error } = await failure(() => pool.get(specOf('p1')));
    assert.instance(error, HostKeyError);
    assert.match(error.message, `p1: host key for p1 (${p1}) is not known`);
    assert.is((await (await pool.get(specOf('bastion'))).exec('hostname')).stdout, 'bastion\n', 'the bastion itself is fine');
  } finally {
    await pool.closeAll();
  }
});

test('24 connections opened at once through one bastion all succeed (handshakes are queued)', async () => {
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath });
  try {
    const specs = Array.from({ length: 24 }, (_, i) => ({ ...specOf('p1'), name: `p1-${i}` }));
    const connections = await Promise.all(specs.map((spec) => pool.get(spec)));
    const names = await Promise.all(connections.map((c) => c.exec('hostname')));
    assert.ok(names.every((r) => r.stdout === 'p1\n'));
    assert.is((await sshdConnections('p1')).length, 24);
    assert.is((await sshdConnections('bastion')).length, 1);
    assert.is(pool.peakHandshakesThrough(specOf('bastion')), 8);
  } finally {
    await pool.closeAll();
  }
});

test('a jump host that is down makes every host behind it unreachable "through jump host bastion"', async () => {
  await bed.stopHost('bastion');
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 2000 });
  const results = await Promise.allSettled([pool.get(specOf('p1')), pool.get(specOf('p2'))]);
  const expected = ['p1: unreachable through jump host bastion: ', 'p2: unreachable through jump host p1: unreachable through jump host bastion: '];
  for (const [i, result] of results.entries()) {
    assert.is(result.status, 'rejected');
    const error = (result as PromiseRejectedResult).reason as Error;
    assert.instance(error, UnreachableError);
    assert.ok(error.message.startsWith(expected[i] ?? '?'), error.message);
    assert.match(error.message, bed.host('bastion').ip);
  }
  await pool.closeAll();
});

test.run();
