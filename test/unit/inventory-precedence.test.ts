import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../lib/inventory/load.ts';
import { hostVars } from '../../lib/vars/merge.ts';

const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));
const inventory = await loadInventory(`${fixtures}precedence/hosts.yml`);

/*
 * h1 is in child (under parent), alpha (ansible_group_priority 10), beta and gamma; h2 only in
 * child. Every expectation below was checked against `ansible-inventory --host` (ansible-core 2.14);
 * test/unit/inventory-ansible-parity.test.ts repeats that check wherever Ansible is installed.
 */
const h1Cases: Array<[variable: string, expected: unknown, why: string]> = [
  ['only_all', 'all inline', 'set only on all'],
  ['v_parent', 'parent inline', 'parent group beats all'],
  ['v_child', 'child inline', 'child group beats parent group'],
  ['v_host', 'host inline', 'host inline vars beat every group'],
  ['v_hostfile', 'host_vars', 'host_vars/ file beats host inline vars'],
  ['v_gv_all_beats_child_inline', 'group_vars/all', "group_vars/all beats even a child group's inline vars"],
  ['v_gv_parent_vs_child_inline', 'group_vars/parent', 'any group_vars file beats inline group vars'],
  ['v_gv_parent_vs_child_file', 'group_vars/child', 'among group_vars files, child beats parent beats all'],
  ['v_host_inline_beats_gv_child', 'host inline', 'host inline vars beat group_vars files'],
  ['v_priority', 'alpha (priority 10)', 'same depth: higher ansible_group_priority wins'],
  ['v_name_order', 'gamma', 'same depth and priority: the later name wins'],
  ['v_depth_beats_priority', 'child inline', 'a deeper group beats a higher priority'],
  ['v_mapping', { c: 3 }, 'a mapping is replaced whole, not merged (hash_behaviour=replace)'],
  ['v_extra', 'host_vars', 'inventory alone'],
];

for (const [variable, expected, why] of h1Cases) {
  test(`h1 ${variable}: ${why}`, () => {
    assert.equal(inventory.host('h1').vars[variable], expected);
  });
}

test('h2, in child only, gets the group values h1 overrides', () => {
  const vars = inventory.host('h2').vars;
  assert.is(vars.v_host, 'child inline');
  assert.is(vars.v_hostfile, 'child inline');
  assert.is(vars.v_host_inline_beats_gv_child, 'group_vars/child');
  assert.is(vars.v_extra, 'all inline');
  assert.is(vars.v_priority, undefined);
});

const defaults = { v_default_only: 'role default', v_defaults_lose: 'role default', v_extra: 'role default' };
const extra = { v_extra: 'extra var', v_extra_only: 'extra var' };

const mergedCases: Array<[variable: string, expected: unknown, why: string]> = [
  ['v_default_only', 'role default', 'role defaults apply when nothing else sets the variable'],
  ['v_defaults_lose', 'all inline', 'any inventory level (even all) beats role defaults'],
  ['v_extra', 'extra var', 'extra vars beat host_vars files'],
  ['v_extra_only', 'extra var', 'extra vars add variables'],
  ['v_hostfile', 'host_vars', 'what extra vars do not set stays from the inventory'],
];

for (const [variable, expected, why] of mergedCases) {
  test(`hostVars(defaults, h1, extra) ${variable}: ${why}`, () => {
    assert.equal(hostVars(defaults, inventory.host('h1').vars, extra)[variable], expected);
  });
}

test('hostVars copies: the inventory and the layers are left untouched', () => {
  const merged = hostVars(defaults, inventory.host('h1').vars, extra);
  merged.v_host = 'changed';
  assert.is(inventory.host('h1').vars.v_host, 'host inline');
  assert.is(inventory.host('h1').vars.v_extra, 'host_vars');
  assert.is(defaults.v_extra, 'role default');
});

test.run();
