import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';
import { definePlay, defineRole } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import type { Vars } from '../../lib/vars.ts';
import { CountingPool, RecordingReporter, runOptions } from './runner-support.ts';

test('a role sees Ansible magic vars: inventory_hostname, inventory_hostname_short, group_names', async () => {
  const inventory = inventoryFromYaml(`
all:
  vars: { ansible_connection: local }
  hosts:
    web1.example.com: {}
  children:
    k3s_servers: { hosts: { web1.example.com: {} } }
    buildkit: { hosts: { web1.example.com: {} } }
`);
  const seen: Vars[] = [];
  const role = defineRole({
    name: 'probe',
    hosts: 'all',
    defaults: { inventory_hostname: 'overridden?' },
    async run(_t, vars) {
      seen.push(vars);
    },
  });
  const summary = await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(inventory, new CountingPool()), new RecordingReporter());
  assert.is(summary.exitCode, 0);
  const vars = seen.find((v) => v.inventory_hostname === 'web1.example.com');
  assert.ok(vars, 'run() saw the real host name, not the role default');
  assert.is(vars?.inventory_hostname_short, 'web1');
  assert.equal(vars?.group_names, ['buildkit', 'k3s_servers']);
});

test.run();
