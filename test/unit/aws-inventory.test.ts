import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inventoryDocument, renderInventory, writeFileAtomic, type InventoryInput } from '../../lib/aws/inventory.ts';
import type { ExistingInstance } from '../../lib/aws/model.ts';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';

function instance(name: string, privateIp: string, publicIp?: string): ExistingInstance {
  return { id: `i-${name}`, name, state: 'running', instanceType: 't3.medium', imageId: 'ami-1', zone: 'z', securityGroupIds: [], privateIp, ...(publicIp ? { publicIp } : {}) };
}

const input: InventoryInput = {
  cluster: 'c1',
  region: 'eu-west-3',
  bastion: instance('c1-bastion', '172.31.0.4', '198.51.100.10'),
  // deliberately unsorted: buildkit is the third by sorted name, not by position
  servers: [instance('c1-server-3', '172.31.32.9'), instance('c1-server-1', '172.31.0.7'), instance('c1-server-2', '172.31.16.8')],
  loadBalancerDns: 'c1-nlb-123.elb.eu-west-3.amazonaws.com',
  privateKeyPath: '/home/op/.ssh/id_ed25519',
};

test('the written inventory reads back through lib/inventory with the groups and vars the roles use', () => {
  const inv = inventoryFromYaml(renderInventory(input), 'hosts.yml');
  assert.equal(inv.select('bastion'), ['c1-bastion']);
  assert.equal(inv.select('k3s_servers'), ['c1-server-1', 'c1-server-2', 'c1-server-3']);
  assert.equal(inv.select('buildkit'), ['c1-server-3']);
  const bastion = inv.host('c1-bastion').vars;
  assert.is(bastion.ansible_host, '198.51.100.10');
  assert.is(bastion.ansible_user, 'admin');
  assert.is(bastion.ansible_ssh_private_key_file, '/home/op/.ssh/id_ed25519');
  assert.is(bastion.ploy_jump_host, undefined);
  const second = inv.host('c1-server-2').vars;
  assert.is(second.ansible_host, '172.31.16.8');
  assert.is(second.private_ip, '172.31.16.8');
  assert.is(second.ploy_jump_host, 'c1-bastion');
  assert.is(second.k3s_lb_dns, 'c1-nlb-123.elb.eu-west-3.amazonaws.com');
});

test('without --private-key the variable is left out', () => {
  const { privateKeyPath: _, ...rest } = input;
  assert.not.ok('ansible_ssh_private_key_file' in inventoryDocument(rest).all.vars);
});

test('a bastion without a public IP, or a server without a private one, is an error', () => {
  assert.throws(() => inventoryDocument({ ...input, bastion: instance('c1-bastion', '172.31.0.4') }), /bastion c1-bastion \(i-c1-bastion\) has no public IP/);
  const noIp = { ...instance('c1-server-1', ''), privateIp: undefined } as unknown as ExistingInstance;
  assert.throws(() => inventoryDocument({ ...input, servers: [noIp] }), /server c1-server-1 .* has no private IP/);
});

test('written atomically with mode 0644 whatever the umask, replacing the old file, no temp file left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-inv-'));
  const previous = process.umask(0o077);
  try {
    const path = join(dir, 'inventory', 'hosts.yml');
    await writeFileAtomic(path, 'old: true\n');
    await writeFileAtomic(path, renderInventory(input));
    assert.is(statSync(path).mode & 0o777, 0o644);
    assert.match(readFileSync(path, 'utf8'), /^# Written by playbooks\/provision\.ts for cluster c1 in eu-west-3/);
    assert.equal(readdirSync(join(dir, 'inventory')), ['hosts.yml']);
  } finally {
    process.umask(previous);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable target is an error naming the path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-inv-'));
  try {
    const path = join(dir, 'hosts.yml');
    await writeFileAtomic(join(path, 'x'), 'a: 1\n').catch(() => undefined); // makes hosts.yml a directory
    let message = '';
    await writeFileAtomic(path, 'a: 1\n').catch((e: Error) => (message = e.message));
    assert.match(message, new RegExp(`cannot write ${path}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
