import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatHostList, listRoleHosts } from '../../lib/cli/list-hosts.ts';
import { findProjectDir } from '../../lib/cli/project-dir.ts';
import { InputError } from '../../lib/errors.ts';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';
import { definePlay, defineRole } from '../../lib/role.ts';

const inventory = inventoryFromYaml(`
all:
  children:
    bastion:
      hosts: { bastion1: }
    k3s_servers:
      hosts: { k3s-1: , k3s-2: , k3s-3: }
`);

const role = (name: string, hosts: string) => defineRole({ name, hosts, defaults: {}, run: async () => {} });
const play = definePlay({ name: 'site', roles: [role('bastion', 'bastion'), role('k3s-server', 'k3s_servers')] });

test('each role with its hosts, in Ansible --list-hosts layout', () => {
  assert.is(
    formatHostList('site', listRoleHosts(play, inventory, {})),
    [
      'playbook: site',
      '',
      '  role #1 (bastion): bastion',
      '    hosts (1):',
      '      bastion1',
      '',
      '  role #2 (k3s_servers): k3s-server',
      '    hosts (3):',
      '      k3s-1',
      '      k3s-2',
      '      k3s-3',
      '',
    ].join('\n'),
  );
});

test('--limit narrows every role; --role keeps only the named ones', () => {
  assert.equal(
    listRoleHosts(play, inventory, { limit: 'k3s-2:bastion1' }).map((r) => r.hosts),
    [['bastion1'], ['k3s-2']],
  );
  assert.equal(listRoleHosts(play, inventory, { roles: ['k3s-server'], limit: 'k3s-*:!k3s-1' }), [{ name: 'k3s-server', pattern: 'k3s_servers', hosts: ['k3s-2', 'k3s-3'] }]);
});

test('an unknown role or host pattern is an InputError naming it', () => {
  assert.throws(
    () => listRoleHosts(play, inventory, { roles: ['nope'] }),
    (e: unknown) => e instanceof InputError && /nope/.test(e.message),
  );
  assert.throws(
    () => listRoleHosts(play, inventory, { limit: 'nosuch' }),
    (e: unknown) => e instanceof InputError && /nosuch/.test(e.message),
  );
});

test('the project directory is the nearest one above the playbook holding package.json', () => {
  const root = mkdtempSync(join(tmpdir(), 'ploy-project-'));
  try {
    mkdirSync(join(root, 'playbooks/sub'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{}');
    assert.is(findProjectDir(join(root, 'playbooks/sub/site.ts'), '/fallback'), root);
    assert.is(findProjectDir(undefined, '/fallback'), '/fallback');
    assert.is(findProjectDir('/site.ts', '/fallback'), '/fallback');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
