import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../lib/errors.ts';
import { inventoryFromYaml, loadInventory } from '../../lib/inventory/load.ts';

const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));
const nested = await loadInventory(`${fixtures}nested/hosts.yml`);

test('hosts are listed in the order they first appear, ranges expanded', () => {
  assert.equal([...nested.hosts.keys()], ['loner.example.com', 'web01', 'web02', 'web03', 'db-a', 'db-b', 'listed-ungrouped']);
});

test('nested groups: direct children, and every host of the group and its descendants', () => {
  assert.equal(nested.groups.get('all')?.children, ['ungrouped', 'web', 'db', 'dc1', 'empty_group']);
  assert.equal(nested.groups.get('web')?.children, ['web_canary']);
  assert.equal(nested.groups.get('web')?.hosts, ['web01', 'web02', 'web03']);
  assert.equal(nested.groups.get('web_canary')?.hosts, ['web02']);
  assert.equal(nested.groups.get('dc1')?.children, ['web', 'db']);
  assert.equal(nested.groups.get('dc1')?.hosts, ['web01', 'web02', 'web03', 'db-a', 'db-b']);
  assert.equal(nested.groups.get('empty_group')?.hosts, []);
});

test("a host's groups include ancestors and all, ordered by depth, priority, name", () => {
  // web is under all and under dc1, so its depth is 2 (longest path), below dc1 and db
  assert.equal(nested.host('web01').groups, ['all', 'dc1', 'db', 'web']);
  assert.equal(nested.host('web02').groups, ['all', 'dc1', 'web', 'web_canary']);
});

test('ungrouped holds the hosts in no other group, even if listed there explicitly', () => {
  assert.equal(nested.groups.get('ungrouped')?.hosts, ['loner.example.com', 'listed-ungrouped']);
  assert.equal(nested.host('db-a').groups, ['all', 'dc1', 'db']);
  assert.equal(nested.host('loner.example.com').groups, ['all', 'ungrouped']);
});

test('host ranges: zero-padded numbers, letters, a port as ansible_port', () => {
  assert.is(nested.host('web03').vars.http_port, 80);
  assert.is(nested.host('db-b').vars.ansible_port, 2222);
  const inventory = inventoryFromYaml('all:\n  hosts:\n    n[1:10:4].x:\n    r[a:b]-[08:09]:\n');
  assert.equal([...inventory.hosts.keys()], ['n1.x', 'n5.x', 'n9.x', 'ra-08', 'ra-09', 'rb-08', 'rb-09']);
});

test('group_vars: NAME.yml, NAME.yaml, a NAME/ directory in sorted order, a bare NAME file', () => {
  assert.equal(nested.groups.get('web')?.vars, { level: 'web', web_file: 'web.yaml' });
  assert.equal(nested.groups.get('db')?.vars, { db_port: 5432, db_engine: 'postgres-16' });
  assert.equal(nested.groups.get('dc1')?.vars, { dc: 'dc1' });
});

test('group_vars: only the first of NAME, NAME.yml, NAME.yaml is read, as Ansible does', () => {
  assert.is(nested.groups.get('web_canary')?.vars.canary_file, 'web_canary.yml');
});

test('group_vars directories skip hidden files, backups~ and other extensions', () => {
  assert.is(nested.host('db-a').vars.db_engine, 'postgres-16');
});

test('host_vars: a file, or a directory merged in name order', () => {
  assert.is(nested.host('web01').vars.role, 'primary web');
  const web02 = nested.host('web02').vars;
  assert.equal([web02.a, web02.b, web02.shared], [1, 2, 'from b.yml']);
});

test('host vars merge inline vars, groups and files (YAML 1.1: yes is true)', () => {
  assert.equal(nested.host('web02').vars, {
    ntp_server: 'pool.ntp.org',
    level: 'group_vars_all',
    from_all_file: true,
    dc: 'dc1',
    web_file: 'web.yaml',
    canary_file: 'web_canary.yml',
    http_port: 80,
    canary: true,
    a: 1,
    shared: 'from b.yml',
    b: 2,
  });
});

test('an inventory directory: its *.yml and *.yaml merged in name order, group_vars inside it', async () => {
  const inventory = await loadInventory(`${fixtures}dir-inventory`);
  assert.equal([...inventory.hosts.keys()], ['s1', 's2', 'e1']);
  assert.equal(inventory.groups.get('extra')?.hosts, ['s2', 'e1']);
  assert.is(inventory.host('s1').vars.from, 'group_vars/servers');
  // servers and extra are both at depth 1 with priority 1: "servers" sorts last, so it wins for s2
  assert.is(inventory.host('s2').vars.from, 'group_vars/servers');
  assert.is(inventory.host('e1').vars.from, '20-extra.yaml');
});

test('top-level groups other than all become children of all', () => {
  const inventory = inventoryFromYaml('web:\n  hosts:\n    w1:\ndb:\n  hosts:\n    d1:\n');
  assert.equal(inventory.groups.get('all')?.children, ['ungrouped', 'web', 'db']);
  assert.equal(inventory.select('all'), ['w1', 'd1']);
});

test('a group defined twice merges its hosts and vars (later value wins)', () => {
  const text = 'all:\n  children:\n    a:\n      vars: {x: 1, y: 1}\n      hosts: {h1: }\n    b:\n      children:\n        a:\n          vars: {y: 2}\n          hosts: {h2: }\n';
  const inventory = inventoryFromYaml(text);
  assert.equal(inventory.groups.get('a')?.hosts, ['h1', 'h2']);
  assert.equal(inventory.groups.get('a')?.vars, { x: 1, y: 2 });
  assert.equal(inventory.groups.get('b')?.children, ['a']);
});

test('a string where a mapping of names is expected names one entry, as in Ansible', () => {
  const inventory = inventoryFromYaml('all:\n  children:\n    web:\n      hosts: w1\n    site:\n      children: web\n');
  assert.equal(inventory.select('site'), ['w1']);
});

test('ansible_group_priority orders groups and is not itself a variable', () => {
  const inventory = inventoryFromYaml('a:\n  vars: {ansible_group_priority: "5", v: a}\n  hosts: {h: }\nb:\n  vars: {v: b}\n  hosts: {h: }\n');
  assert.is(inventory.host('h').vars.v, 'a');
  assert.is(inventory.host('h').vars.ansible_group_priority, undefined);
  assert.equal(inventory.host('h').groups, ['all', 'b', 'a']);
});

test('host() names the unknown host and the inventory', () => {
  try {
    nested.host('web04');
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, InputError);
    assert.match((error as Error).message, /no host "web04" in .*nested\/hosts\.yml/);
  }
});

test.run();
