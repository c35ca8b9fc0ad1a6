import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../lib/errors.ts';
import { inventoryFromYaml, loadInventory } from '../../lib/inventory/load.ts';

const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));

async function loadError(path: string): Promise<string> {
  try {
    await loadInventory(path);
  } catch (error) {
    assert.instance(error, InputError);
    return (error as Error).message;
  }
  throw new Error(`loading ${path} should have failed`);
}

function parseError(lines: string[]): string {
  try {
    inventoryFromYaml(`${lines.join('\n')}\n`, 'inv.yml');
  } catch (error) {
    assert.instance(error, InputError);
    return (error as Error).message;
  }
  throw new Error('the inventory should have been refused');
}

test('malformed YAML: the file, line and column where the parser stopped', async () => {
  const file = `${fixtures}errors/malformed.yml`;
  assert.is(await loadError(file), `${file}:5:6: invalid YAML: All mapping items must start at the same column`);
});

test('a malformed group_vars file is reported with its own file:line:col', async () => {
  const message = await loadError(`${fixtures}errors/bad-group-vars/hosts.yml`);
  assert.ok(message.startsWith(`${fixtures}errors/bad-group-vars/group_vars/web.yml:3:1: invalid YAML: `), message);
});

const structural: Array<[why: string, lines: string[], message: string]> = [
  [
    'hosts given as a list',
    ['all:', '  children:', '    web:', '      hosts:', '        - w1'],
    'inv.yml:4:7, field "all.children.web.hosts": "hosts" of group "web" must be a mapping, got a list (write "hosts:" entries as "name:" lines, not "- name")',
  ],
  [
    'children given as a list',
    ['all:', '  children:', '    - web'],
    'inv.yml:2:3, field "all.children": "children" of group "all" must be a mapping, got a list (write "children:" entries as "name:" lines, not "- name")',
  ],
  ['vars given as a list', ['all:', '  vars:', '    - a: 1'], 'inv.yml:2:3, field "all.vars": "vars" of group "all" must be a mapping, got a list'],
  ['a group given as a list', ['all:', '  - w1'], 'inv.yml:1:1, field "all": group "all" must be a mapping with hosts, children or vars, got a list'],
  [
    'a host directly under a group',
    ['all:', '  children:', '    web:', '      w1:'],
    'inv.yml:4:7, field "all.children.web.w1": unexpected key "w1" in group "web": only hosts, children and vars are valid (a host goes under "hosts:", a group under "children:")',
  ],
  ["a host's vars not a mapping", ['all:', '  hosts:', '    w1: 5'], 'inv.yml:3:5, field "all.hosts.w1": vars of host "w1" in group "all" must be a mapping, got a number'],
  ['the file is a list', ['- all'], 'inv.yml:1:1: an inventory must be a mapping of group names (usually "all:"), got a list'],
  [
    'a cycle in children',
    ['all:', '  children:', '    a:', '      children:', '        b:', '    b:', '      children:', '        a:'],
    'inv.yml:8:9, field "all.children.b.children.a": adding group "a" as a child of "b" makes a cycle (b is already under a)',
  ],
  ['a group its own child', ['a:', '  children:', '    a:'], 'inv.yml:3:5, field "a.children.a": group "a" cannot be a child of itself'],
  ['all as a child', ['web:', '  children:', '    all:'], 'inv.yml:3:5, field "web.children.all": group "all" cannot be a child of group "web"'],
  [
    'a host and a group with different meanings',
    ['all:', '  hosts:', '    db:', '  children:', '    db:', '      hosts:', '        db1:'],
    'inv.yml:5:5, field "all.children.db": "db" is both a host and a group holding other hosts (db1); the host pattern would be ambiguous, rename the group or the host',
  ],
  ['a reversed host range', ['all:', '  hosts:', '    web[3:1]:'], `inv.yml:3:5, field "all.hosts['web[3:1]']": host range in "web[3:1]" must have begin <= end`],
  [
    'a padded range with unequal widths',
    ['all:', '  hosts:', '    web[01:100]:'],
    `inv.yml:3:5, field "all.hosts['web[01:100]']": host range in "web[01:100]" must write begin and end with the same number of digits`,
  ],
  [
    'a priority that is not a number',
    ['web:', '  vars:', '    ansible_group_priority: high'],
    'inv.yml:3:5, field "web.vars.ansible_group_priority": ansible_group_priority of group "web" must be a whole number, got a string',
  ],
  [
    'an Ansible Vault value',
    ['all:', '  vars:', '    db_password: !vault |', '      $ANSIBLE_VAULT;1.1;AES256'],
    'inv.yml:3:18: invalid YAML: Ansible Vault values are not supported by ploy; use !secret "value" or pass it with -e @file',
  ],
  ['an unknown YAML tag', ['all:', '  vars:', '    x: !include other.yml'], 'inv.yml:3:8: invalid YAML: Unresolved tag: !include'],
  ['duplicate keys', ['all:', '  hosts:', '    w1:', '    w1:'], 'inv.yml:4:5: invalid YAML: Map keys must be unique'],
  ['an empty file', [''], 'inv.yml: the inventory is empty; expected a mapping such as "all: {hosts: ...}"'],
];

for (const [why, lines, message] of structural) {
  test(`refused: ${why}`, () => {
    assert.is(parseError(lines), message);
  });
}

test('a missing inventory, and a directory without inventory files', async () => {
  assert.is(await loadError(`${fixtures}nope.yml`), `${fixtures}nope.yml: inventory not found (ENOENT)`);
  const dir = await mkdtemp(join(tmpdir(), 'ploy-inventory-'));
  try {
    assert.is(await loadError(dir), `${dir}: no *.yml or *.yaml inventory file in this directory`);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('group_vars: a file that is not a mapping, and ansible_group_priority (ignored by Ansible there)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ploy-inventory-'));
  try {
    await mkdir(join(dir, 'group_vars'));
    await writeFile(join(dir, 'hosts.yml'), 'web:\n  hosts:\n    w1:\n');
    await writeFile(join(dir, 'group_vars', 'web.yml'), '- a\n- b\n');
    assert.is(await loadError(join(dir, 'hosts.yml')), `${join(dir, 'group_vars', 'web.yml')}:1:1: a vars file must hold a mapping of variable names to values, got a list`);
    await writeFile(join(dir, 'group_vars', 'web.yml'), 'x: 1\nansible_group_priority: 5\n');
    assert.is(
      await loadError(join(dir, 'hosts.yml')),
      `${join(dir, 'group_vars', 'web.yml')}:2:1, field "ansible_group_priority": ansible_group_priority only works in the inventory file itself, not in group_vars/`,
    );
    await writeFile(join(dir, 'group_vars', 'web.yml'), '');
    assert.equal((await loadInventory(join(dir, 'hosts.yml'))).host('w1').vars, {}, 'an empty vars file is no vars');
  } finally {
    await rm(dir, { recursive: true });
  }
});

test.run();
