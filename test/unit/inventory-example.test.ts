import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadInventory } from '../../lib/inventory/load.ts';

test('inventory/example.yml (the shape provision.ts writes) loads with the cluster groups', async () => {
  const inventory = await loadInventory('inventory/example.yml');
  assert.equal(inventory.select('bastion'), ['k3s-ha-bastion']);
  assert.equal(inventory.select('k3s_servers'), ['k3s-ha-server-1', 'k3s-ha-server-2', 'k3s-ha-server-3']);
  assert.equal(inventory.select('k3s_servers:&buildkit'), ['k3s-ha-server-3']);
  assert.is(inventory.host('k3s-ha-server-2').vars.ploy_jump_host, 'k3s-ha-bastion');
  assert.type(inventory.host('k3s-ha-server-1').vars.k3s_lb_dns, 'string');
});

test.run();
