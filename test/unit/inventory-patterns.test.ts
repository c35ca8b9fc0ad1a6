import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../lib/errors.ts';
import { splitHostPattern } from '../../lib/inventory/host-pattern.ts';
import { inventoryFromYaml, loadInventory } from '../../lib/inventory/load.ts';
import { patternCases } from '../fixtures/inventory/patterns/cases.ts';

const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));
const inventory = await loadInventory(`${fixtures}patterns/hosts.yml`);

for (const [pattern, hosts] of patternCases) {
  test(`select("${pattern}")`, () => {
    assert.equal(inventory.select(pattern), hosts);
  });
}

function errorOf(pattern: string): InputError {
  try {
    inventory.select(pattern);
  } catch (error) {
    assert.instance(error, InputError);
    return error as InputError;
  }
  throw new Error(`select("${pattern}") should have thrown`);
}

test('an unknown name is an error naming the pattern, the name and the known groups', () => {
  const message = errorOf('web:!nope').message;
  assert.match(message, 'host pattern "web:!nope"');
  assert.match(message, 'no host or group is named "nope"');
  assert.match(message, 'patterns/hosts.yml');
  assert.match(message, 'groups: all, buildkit, db, edge, empty, k3s_agents, k3s_servers, ungrouped, web');
  assert.match(errorOf('k3s_server').message, 'named "k3s_server"');
  assert.match(errorOf('&dbs').message, 'named "dbs"');
});

test('a subscript past the end names how many hosts matched', () => {
  assert.match(errorOf('web[5]').message, '"web" matches 3 host(s)');
});

test('broken patterns are errors where Ansible would guess', () => {
  assert.match(errorOf('').message, 'is empty');
  assert.match(errorOf(' , ').message, 'is empty');
  assert.match(errorOf('web:&').message, 'empty part after & or !');
  assert.match(errorOf('~[').message, 'unmatched [');
  assert.match(errorOf('web[1:').message, 'unmatched [');
  assert.match(errorOf('~web(').message, 'invalid regular expression');
  assert.match(errorOf('db[1-3]').message, 'write db[1:3]');
});

test('splitting keeps [x:y] subscripts and IPv6 addresses whole', () => {
  assert.equal(splitHostPattern('web[0:2]:db,!x'), ['web[0:2]', 'db', '!x']);
  assert.equal(splitHostPattern('fe80::1'), ['fe80::1']);
  assert.equal(splitHostPattern('a:b:c'), ['a', 'b', 'c']);
});

test('glob character classes: [seq] and [!seq]', () => {
  const inv = inventoryFromYaml('all:\n  hosts:\n    node-a:\n    node-b:\n    node-c:\n');
  assert.equal(inv.select('node-[ab]'), ['node-a', 'node-b']);
  assert.equal(inv.select('node-[!ab]'), ['node-c']);
  assert.equal(inv.select('node-?'), ['node-a', 'node-b', 'node-c']);
  assert.equal(inv.select('NODE-*'), [], 'globs are case-sensitive');
});

test('a host named like its only group is fine: the pattern means the same either way', () => {
  const inv = inventoryFromYaml('all:\n  children:\n    bastion:\n      hosts:\n        bastion:\n    web:\n      hosts:\n        w1:\n');
  assert.equal(inv.select('bastion'), ['bastion']);
  assert.equal(inv.select('all:!bastion'), ['w1']);
  assert.equal(inv.select('all:&bastion'), ['bastion']);
});

test.run();
