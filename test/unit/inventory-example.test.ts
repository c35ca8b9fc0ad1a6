import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { loadInventory } from '../../lib/inventory/load.ts';
import { bastionDefaults } from '../../roles/bastion/vars.ts';
import { BUILDKIT_DEFAULTS } from '../../roles/buildkit/vars.ts';
import { CERT_MANAGER_DEFAULTS } from '../../roles/cert-manager/vars.ts';
import { ECHO_HEALTHCHECK_DEFAULTS } from '../../roles/echo-healthcheck/vars.ts';
import { K3S_DEFAULTS } from '../../roles/k3s-server/vars.ts';
import { NGINX_DEMO_DEFAULTS } from '../../roles/nginx-demo/vars.ts';

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

test('group_vars/bastion.yml documents every variable of the roles that run on the bastion, with its default', () => {
  const text = readFileSync('inventory/group_vars/bastion.yml', 'utf8');
  for (const [name, value] of Object.entries({ ...bastionDefaults, ...CERT_MANAGER_DEFAULTS, ...NGINX_DEMO_DEFAULTS })) {
    const shown = typeof value === 'object' && value !== null && !Array.isArray(value) ? JSON.stringify(value) : String(value);
    assert.match(text, `\n# ${name}: ${shown}\n`, name);
  }
  for (const name of ['operator_authorized_keys', 'kubectl_sha256', 'helm_sha256', 'k3s_api_endpoint', 'cert_manager_acme_email', 'nginx_demo_host']) assert.match(text, `\n# ${name}:`, name);
});

test('group_vars/buildkit.yml documents every variable of the buildkit and echo-healthcheck roles, with its default', () => {
  const text = readFileSync('inventory/group_vars/buildkit.yml', 'utf8');
  for (const [name, value] of Object.entries({ ...BUILDKIT_DEFAULTS, ...ECHO_HEALTHCHECK_DEFAULTS })) assert.match(text, `\n# ${name}: ${String(value)}\n`, name);
  assert.match(text, '\n# buildkit_sha256: ');
});

test.run();
