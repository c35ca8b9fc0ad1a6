import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../lib/inventory/load.ts';
import { optionalBoolean, requireString } from '../../lib/vars/accessors.ts';

const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));
const inventory = await loadInventory(`${fixtures}k3s/hosts.yml`);
const servers = ['k3s-server-1', 'k3s-server-2', 'k3s-server-3'];

test('the cluster inventory: a bastion, three servers, the third also in buildkit', () => {
  assert.equal([...inventory.hosts.keys()], ['bastion', ...servers]);
  assert.equal(inventory.groups.get('all')?.children, ['ungrouped', 'bastion', 'k3s_servers', 'buildkit']);
  assert.equal(inventory.groups.get('buildkit')?.hosts, ['k3s-server-3']);
  assert.equal(inventory.groups.get('ungrouped')?.hosts, []);
});

test('the patterns the roles use', () => {
  assert.equal(inventory.select('bastion'), ['bastion']);
  assert.equal(inventory.select('k3s_servers'), servers);
  assert.equal(inventory.select('buildkit'), ['k3s-server-3']);
  assert.equal(inventory.select('k3s_servers:&buildkit'), ['k3s-server-3']);
  assert.equal(inventory.select('k3s_servers:!buildkit'), ['k3s-server-1', 'k3s-server-2']);
  assert.equal(inventory.select('all:!bastion'), servers);
  assert.equal(inventory.select('k3s_servers[0]'), ['k3s-server-1']);
  assert.equal(inventory.select('k3s-server-*'), servers);
});

test("the third server's groups and merged vars: all, then k3s_servers and buildkit", () => {
  const host = inventory.host('k3s-server-3');
  assert.equal(host.groups, ['all', 'buildkit', 'k3s_servers']);
  assert.equal(host.vars, {
    ansible_user: 'admin',
    ansible_python_interpreter: '/usr/bin/python3',
    cluster_name: 'demo',
    k3s_version: 'v1.30.2+k3s1',
    lb_dns_name: 'demo-nlb-0123456789.elb.eu-west-3.amazonaws.com',
    buildkit_version: 'v0.15.1',
    ploy_jump_host: 'bastion',
    ansible_become: true,
    ansible_host: '172.31.3.10',
    private_ip: '172.31.3.10',
    zone: 'eu-west-3c',
  });
});

test('connection vars stay plain vars for the connection layer, typed on read', () => {
  const bastion = inventory.host('bastion').vars;
  assert.is(requireString(bastion, 'ansible_host', 'bastion'), '203.0.113.10');
  assert.is(bastion.ploy_jump_host, undefined);
  assert.is(optionalBoolean(bastion, 'ansible_become', 'bastion'), undefined);
  assert.is(optionalBoolean(inventory.host('k3s-server-1').vars, 'ansible_become', 'k3s-server-1'), true);
});

test.run();
