import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKnownHosts } from '../../lib/connection/known-hosts.ts';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { connectionSpecFor, type ConnectionSpec } from '../../lib/connection/spec.ts';
import { HostKeyError } from '../../lib/errors.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import type { Inventory } from '../../lib/inventory/types.ts';
import type { Vars } from '../../lib/vars.ts';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { failure } from '../support/bed-connection.ts';

let bed: Testbed;
let inventory: Inventory;

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'bastion' }, { name: 'web' }, { name: 'p1', network: 'private' }], bastion: 'bastion' });
  inventory = await loadInventory(bed.inventoryPath);
});

test.after(async () => {
  await bed?.stop();
});

/** The spec from the bed's own inventory.yml, with some of the host's vars replaced. */
function specOf(host: string, vars: Vars = {}): ConnectionSpec {
  return connectionSpecFor(inventory, host, { ...inventory.host(host).vars, ...vars });
}

async function hostname(pool: ConnectionPool, spec: ConnectionSpec): Promise<string> {
  return (await (await pool.get(spec)).exec('hostname')).stdout.trim();
}

function emptyFile(name: string): string {
  const file = join(bed.dir, name);
  writeFileSync(file, '');
  return file;
}

/** Known-hosts entries of a file, as "address keytype". */
function recorded(file: string): string[] {
  return parseKnownHosts(readFileSync(file, 'utf8')).map((e) => `${e.hosts} ${e.keyType}`);
}

test("a pool with default options checks the known_hosts file the bed's ssh_config names, for public and private hosts", async () => {
  const pool = new ConnectionPool();
  try {
    for (const host of ['web', 'p1']) {
      const spec = specOf(host);
      assert.equal(spec.endpoint.knownHostsFiles, [bed.knownHostsPath], host);
      assert.is(spec.endpoint.hostKeyChecking, 'strict', host);
      assert.equal(spec.jump?.endpoint.knownHostsFiles, host === 'p1' ? [bed.knownHostsPath] : undefined);
      assert.is(await hostname(pool, spec), host);
    }
  } finally {
    await pool.closeAll();
  }
});

test('ssh config accept-new with an empty known_hosts: the key is recorded (by the address the jump host sees), then known', async () => {
  const file = emptyFile('accept_new_known_hosts');
  const config = join(bed.dir, 'accept_new_ssh_config');
  writeFileSync(config, `Host *\n  UserKnownHostsFile "${file}"\n  StrictHostKeyChecking accept-new\n`);
  const spec = specOf('p1', { ansible_ssh_common_args: `-F ${config}` });
  assert.is(spec.endpoint.hostKeyChecking, 'accept-new');
  assert.is(spec.jump?.endpoint.knownHostsFiles?.[0], bed.knownHostsPath, 'the bastion keeps its own settings');
  const pool = new ConnectionPool();
  try {
    assert.is(await hostname(pool, spec), 'p1');
  } finally {
    await pool.closeAll();
  }
  const p1 = bed.host('p1').ip;
  assert.ok(recorded(file).length > 0 && recorded(file).every((line) => line.startsWith(`${p1} `)), recorded(file).join('; '));

  // -o in the inventory args wins over the ssh config: strict now, and the recorded key is known.
  const strictSpec = specOf('p1', { ansible_ssh_common_args: `-F ${config}`, ansible_ssh_extra_args: '-o StrictHostKeyChecking=yes' });
  assert.is(strictSpec.endpoint.hostKeyChecking, 'strict');
  const again = new ConnectionPool();
  try {
    assert.is(await hostname(again, strictSpec), 'p1');
  } finally {
    await again.closeAll();
  }
  assert.is(recorded(file).length, 1, 'nothing recorded twice');
});

test("-o UserKnownHostsFile over the bed's strict ssh_config: unknown refused naming the file; --accept-new-host-keys records it", async () => {
  const file = emptyFile('flag_known_hosts');
  const spec = specOf('web', { ansible_ssh_extra_args: `-o UserKnownHostsFile=${file}` });
  assert.equal(spec.endpoint.knownHostsFiles, [file]);
  assert.is(spec.endpoint.hostKeyChecking, 'strict');
  const { error } = await failure(() => new ConnectionPool().get(spec));
  assert.instance(error, HostKeyError);
  assert.match(error.message, `is not known; verify it and add it to known_hosts (${file})`);
  assert.equal(recorded(file), []);

  const pool = new ConnectionPool({ acceptNewHostKeys: true });
  try {
    assert.is(await hostname(pool, spec), 'web');
  } finally {
    await pool.closeAll();
  }
  assert.is(recorded(file).length, 1);
  assert.match(recorded(file)[0] ?? '', `${bed.host('web').ip} `);
});

test('/dev/null as UserKnownHostsFile: every key is unknown', async () => {
  const { error } = await failure(() => new ConnectionPool().get(specOf('web', { ansible_ssh_extra_args: '-o UserKnownHostsFile=/dev/null' })));
  assert.instance(error, HostKeyError);
  assert.match(error.message, 'known_hosts (/dev/null)');
});

test.run();
