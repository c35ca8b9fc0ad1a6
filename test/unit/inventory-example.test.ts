import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadInventory } from '../../lib/inventory/load.ts';
import { K3S_DEFAULTS } from '../../roles/k3s-server/vars.ts';

test('inventory/example.yml (the shape provision.ts writes) loads with the cluster groups', async () => {
  const inventory = await loadInventory('inventory/example.yml');
  assert.equal(inventory.select('bastion'), ['k3s-ha-bastion']);
  assert.equal(inventory.select('k3s_servers'), ['k3s-ha-server-1', 'k3s-ha-server-2', 'k3s-ha-server-3']);
  assert.equal(inventory.select('k3s_servers:&buildkit'), ['k3s-ha-server-3']);
  assert.is(inventory.host('k3s-ha-server-2').vars.ploy_jump_host, 'k3s-ha-bastion');
  assert.type(inventory.host('k3s-ha-server-1').vars.k3s_lb_dns, 'string');
});

test('group_vars/k3s_servers.yml documents every variable of the k3s-server role, with its default', () => {
  const text = readFileSync('inventory/group_vars/k3s_servers.yml', 'utf8');
  for (const [name, value] of Object.entries(K3S_DEFAULTS)) {
    assert.match(text, `\n# ${name}: ${Array.isArray(value) ? JSON.stringify(value) : String(value)}\n`, name);
  }
  for (const name of ['k3s_sha256', 'k3s_token', 'k3s_registry_url', 'k3s_registry_username', 'k3s_registry_password', 'nerdctl_sha256']) assert.match(text, `\n# ${name}: `, name);
});

test.run();
