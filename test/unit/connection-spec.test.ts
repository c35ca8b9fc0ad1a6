import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../lib/errors.ts';
import type { Inventory, InventoryHost } from '../../lib/inventory/types.ts';
import { connectionSpecFor } from '../../lib/connection/spec.ts';
import { noSshConfig, sshConfigLookup } from '../../lib/connection/ssh-config.ts';
import { secret } from '../../lib/secret.ts';
import type { Vars } from '../../lib/vars.ts';
import { inputError } from '../support/input-error.ts';

const sshConfig = sshConfigLookup(readFileSync(new URL('../fixtures/ssh_config', import.meta.url), 'utf8'));

function inventoryOf(hosts: Record<string, Vars>): Inventory {
  const map = new Map<string, InventoryHost>(Object.entries(hosts).map(([name, vars]) => [name, { name, groups: ['all'], vars }]));
  return {
    source: 'inventory/test.yml',
    hosts: map,
    groups: new Map(),
    select: () => [...map.keys()],
    host: (name) => {
      const host = map.get(name);
      if (!host) throw new InputError(`unknown host ${name}`);
      return host;
    },
  };
}

function specOf(hosts: Record<string, Vars>, name: string, lookup = sshConfig) {
  const inventory = inventoryOf(hosts);
  return connectionSpecFor(inventory, name, inventory.host(name).vars, lookup);
}

test('inventory vars set address, port, user, key and passwords', () => {
  const spec = specOf(
    {
      web1: {
        ansible_host: '10.0.0.5',
        ansible_port: '2222',
        ansible_user: 'deploy',
        ansible_ssh_private_key_file: '~/keys/id',
        ansible_password: 'login-pw',
        ansible_become: 'yes',
        ansible_become_user: 'postgres',
        ansible_become_pass: secret('sudo-pw-123'),
      },
    },
    'web1',
    noSshConfig,
  );
  assert.equal(spec.endpoint.address, '10.0.0.5');
  assert.is(spec.endpoint.port, 2222);
  assert.is(spec.endpoint.user, 'deploy');
  assert.is(spec.endpoint.privateKeyFile, join(homedir(), 'keys/id'));
  assert.is(spec.endpoint.password?.reveal(), 'login-pw');
  assert.is(JSON.stringify(spec.endpoint.password), '"***"');
  assert.is(spec.kind, 'ssh');
  assert.is(spec.become, true);
  assert.is(spec.becomeUser, 'postgres');
  assert.is(spec.becomePassword?.reveal(), 'sudo-pw-123');
  assert.is(spec.jump, undefined);
});

test('defaults: address is the host name, port 22, become off as root, ansible_connection local', () => {
  const spec = specOf({ plain: {}, me: { ansible_connection: 'local' } }, 'plain', noSshConfig);
  assert.is(spec.endpoint.address, 'plain');
  assert.is(spec.endpoint.port, 22);
  assert.is(spec.become, false);
  assert.is(spec.becomeUser, 'root');
  assert.is(specOf({ me: { ansible_connection: 'local' } }, 'me').kind, 'local');
});

test('ssh config fills what the inventory left unset, first match wins, inventory wins', () => {
  const fromConfig = specOf({ 'bastion-alias': {} }, 'bastion-alias');
  assert.is(fromConfig.endpoint.address, '203.0.113.10');
  assert.is(fromConfig.endpoint.user, 'jumper');
  assert.is(fromConfig.endpoint.port, 2200);
  assert.is(fromConfig.endpoint.privateKeyFile, '/nonexistent/id_test');

  const overridden = specOf({ 'bastion-alias': { ansible_user: 'admin', ansible_port: 22 } }, 'bastion-alias');
  assert.is(overridden.endpoint.user, 'admin');
  assert.is(overridden.endpoint.port, 22);

  const db = specOf({ db1: {} }, 'db1');
  assert.is(db.endpoint.address, 'db1.internal.example');
  assert.is(db.endpoint.privateKeyFile, join(homedir(), '.ssh/db_key'));
});

test('the ssh config is looked up by ansible_host when set, as ssh would see it', () => {
  const spec = specOf({ app: { ansible_host: '10.9.0.7' } }, 'app');
  assert.is(spec.endpoint.address, '10.9.0.7');
  assert.is(spec.endpoint.user, 'fromconfig');
  assert.is(spec.jump?.name, 'bastion-alias');
  assert.is(spec.jump?.endpoint.address, '203.0.113.10');
  assert.is(spec.jump?.endpoint.user, 'jumper');
  assert.is(spec.jump?.endpoint.port, 2200);
});

test('ploy_jump_host names an inventory host whose own vars are used, recursively', () => {
  const hosts = {
    outer: { ansible_host: '198.51.100.1', ansible_user: 'ops' },
    inner: { ansible_host: '10.1.0.1', ploy_jump_host: 'outer' },
    db: { ansible_host: '10.2.0.9', ploy_jump_host: 'inner', ansible_user: 'root' },
  };
  const spec = specOf(hosts, 'db', noSshConfig);
  assert.is(spec.endpoint.address, '10.2.0.9');
  assert.is(spec.jump?.name, 'inner');
  assert.is(spec.jump?.endpoint.address, '10.1.0.1');
  assert.is(spec.jump?.jump?.name, 'outer');
  assert.is(spec.jump?.jump?.endpoint.user, 'ops');
  assert.is(spec.jump?.jump?.jump, undefined);
});

test('-J and -o ProxyJump in ansible_ssh_common_args: inventory names or plain addresses', () => {
  const hosts = {
    bastion: { ansible_host: '198.51.100.1', ansible_user: 'admin', ansible_ssh_private_key_file: '/keys/bastion' },
    a: { ansible_ssh_common_args: '-o ServerAliveInterval=30 -J bastion', ansible_ssh_private_key_file: '/keys/a' },
    b: { ansible_ssh_common_args: "-o 'ProxyJump=ubuntu@192.0.2.4:2022'", ansible_ssh_private_key_file: '/keys/b' },
    c: { ansible_ssh_extra_args: '-J ops@bastion:2200,10.0.0.1' },
  };
  const a = specOf(hosts, 'a', noSshConfig);
  assert.is(a.jump?.name, 'bastion');
  assert.is(a.jump?.endpoint.privateKeyFile, '/keys/bastion');

  const b = specOf(hosts, 'b', noSshConfig);
  assert.equal(
    { name: b.jump?.name, address: b.jump?.endpoint.address, user: b.jump?.endpoint.user, port: b.jump?.endpoint.port, key: b.jump?.endpoint.privateKeyFile },
    { name: '192.0.2.4', address: '192.0.2.4', user: 'ubuntu', port: 2022, key: '/keys/b' },
  );

  const c = specOf(hosts, 'c', noSshConfig);
  assert.is(c.jump?.name, '10.0.0.1');
  assert.is(c.jump?.jump?.name, 'bastion');
  assert.is(c.jump?.jump?.endpoint.user, 'ops');
  assert.is(c.jump?.jump?.endpoint.port, 2200);
});

test('a ProxyCommand of the form ssh -W %h:%p is understood; any other is refused', () => {
  const spec = specOf({ t: { ansible_ssh_common_args: `-o ProxyCommand="ssh -W %h:%p -q -i /keys/j -p 2022 jump@192.0.2.8"` } }, 't', noSshConfig);
  assert.equal(
    { user: spec.jump?.endpoint.user, address: spec.jump?.endpoint.address, port: spec.jump?.endpoint.port, key: spec.jump?.endpoint.privateKeyFile },
    { user: 'jump', address: '192.0.2.8', port: 2022, key: '/keys/j' },
  );
  inputError(() => specOf({ t: { ansible_ssh_common_args: `-o ProxyCommand="nc -x proxy:1080 %h %p"` } }, 't', noSshConfig), 'host t', 'ansible_ssh_common_args', 'ProxyJump');
});

test('-F FILE in ansible_ssh_common_args replaces the ssh config for that host and its plain jump hosts', () => {
  const file = fileURLToPath(new URL('../fixtures/ssh_config', import.meta.url));
  const spec = specOf({ app: { ansible_host: '10.9.0.7', ansible_ssh_common_args: `-F ${file}` } }, 'app', noSshConfig);
  assert.is(spec.endpoint.user, 'fromconfig');
  assert.is(spec.jump?.endpoint.address, '203.0.113.10');
  assert.is(spec.jump?.endpoint.user, 'jumper');
  inputError(() => specOf({ app: { ansible_ssh_common_args: '-F /nonexistent/ssh_config' } }, 'app'), 'host app', '/nonexistent/ssh_config', 'ansible_ssh_common_args');
});

test('bad values are InputErrors naming host and var', () => {
  inputError(() => specOf({ h: { ansible_port: 'ssh' } }, 'h', noSshConfig), 'host h', 'field "ansible_port"', 'inventory/test.yml');
  inputError(() => specOf({ h: { ansible_port: 70000 } }, 'h', noSshConfig), 'ansible_port');
  inputError(() => specOf({ h: { ansible_become: 'maybe' } }, 'h', noSshConfig), 'ansible_become');
  inputError(() => specOf({ h: { ansible_connection: 'winrm' } }, 'h', noSshConfig), 'ansible_connection', 'winrm');
  inputError(() => specOf({ h: { ploy_jump_host: 'nowhere' } }, 'h', noSshConfig), 'ploy_jump_host', 'nowhere');
  inputError(() => specOf({ h: { ansible_ssh_common_args: '-J a:b:c' } }, 'h', noSshConfig), 'ansible_ssh_common_args');
  inputError(() => specOf({ badport: {} }, 'badport'), 'Port', 'twenty-two');
});

test('UserKnownHostsFile and StrictHostKeyChecking from the ssh config: ~ and %h expanded, several files kept in order', () => {
  const strict = specOf({ 'keys-strict': {} }, 'keys-strict');
  assert.equal(strict.endpoint.knownHostsFiles, [join(homedir(), '.ssh/kh_keys-strict'), '/etc/ploy known_hosts']);
  assert.is(strict.endpoint.hostKeyChecking, 'strict');
  const acceptNew = specOf({ 'keys-new': {} }, 'keys-new');
  assert.equal(acceptNew.endpoint.knownHostsFiles, [join(homedir(), 'new_known_hosts')]);
  assert.is(acceptNew.endpoint.hostKeyChecking, 'accept-new');
  const unset = specOf({ plain: {} }, 'plain');
  assert.is(unset.endpoint.knownHostsFiles, undefined, 'left to the pool');
  assert.is(unset.endpoint.hostKeyChecking, undefined, 'left to the pool');
});

test('-o in the inventory ssh args wins over the ssh config; common args over extra args, first -o over later ones', () => {
  const overridden = specOf({ 'keys-strict': { ansible_ssh_common_args: `-o UserKnownHostsFile="/a/kh '/b c/kh'" -oStrictHostKeyChecking=accept-new -o StrictHostKeyChecking=yes` } }, 'keys-strict');
  assert.equal(overridden.endpoint.knownHostsFiles, ['/a/kh', '/b c/kh']);
  assert.is(overridden.endpoint.hostKeyChecking, 'accept-new');
  const both = specOf({ h: { ansible_ssh_common_args: '-o StrictHostKeyChecking=ask', ansible_ssh_extra_args: '-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=~/x_%u' } }, 'h', noSshConfig);
  assert.is(both.endpoint.hostKeyChecking, 'strict');
  assert.equal(both.endpoint.knownHostsFiles, [join(homedir(), `x_${userInfo().username}`)]);
  const none = specOf({ h: { ansible_ssh_common_args: '-o "UserKnownHostsFile none"' } }, 'h', noSshConfig);
  assert.equal(none.endpoint.knownHostsFiles, ['/dev/null']);
});

test('jump hosts get their own settings: an inventory host from its vars, a plain address from the ssh config', () => {
  const hosts = {
    bastion: { ansible_ssh_common_args: '-o UserKnownHostsFile=/bastion/kh' },
    a: { ploy_jump_host: 'bastion', ansible_ssh_common_args: '-o StrictHostKeyChecking=accept-new' },
    b: { ansible_ssh_common_args: '-J keys-new' },
  };
  const a = specOf(hosts, 'a', noSshConfig);
  assert.is(a.endpoint.hostKeyChecking, 'accept-new');
  assert.equal(a.jump?.endpoint.knownHostsFiles, ['/bastion/kh']);
  assert.is(a.jump?.endpoint.hostKeyChecking, undefined);
  const b = specOf(hosts, 'b');
  assert.is(b.endpoint.hostKeyChecking, undefined);
  assert.is(b.jump?.endpoint.hostKeyChecking, 'accept-new');
  assert.equal(b.jump?.endpoint.knownHostsFiles, [join(homedir(), 'new_known_hosts')]);
});

test('StrictHostKeyChecking no/off is refused, naming host and where it was set, with the alternative', () => {
  const fixture = fileURLToPath(new URL('../fixtures/ssh_config', import.meta.url));
  inputError(
    () => specOf({ h: { ansible_ssh_common_args: '-o StrictHostKeyChecking=no' } }, 'h', noSshConfig),
    'host h',
    'field "ansible_ssh_common_args"',
    'StrictHostKeyChecking no would skip host key checks',
    'accept-new',
    '--accept-new-host-keys',
  );
  inputError(() => specOf({ h: { ansible_ssh_extra_args: '-o StrictHostKeyChecking=off' } }, 'h', noSshConfig), 'host h', 'ansible_ssh_extra_args', 'StrictHostKeyChecking off');
  inputError(() => specOf({ 'keys-off': { ansible_ssh_common_args: `-F ${fixture}` } }, 'keys-off', noSshConfig), fixture, 'host keys-off', 'StrictHostKeyChecking (ssh config)', 'accept-new');
  inputError(() => specOf({ t: { ansible_ssh_common_args: '-J keys-off' } }, 't'), 'host t', 'StrictHostKeyChecking of keys-off (ssh config)');
  inputError(() => specOf({ h: { ansible_ssh_common_args: '-o StrictHostKeyChecking=maybe' } }, 'h', noSshConfig), 'host h', '"maybe" is not valid');
  specOf({ me: { ansible_connection: 'local', ansible_ssh_common_args: '-o StrictHostKeyChecking=no' } }, 'me', noSshConfig);
  specOf({ 'keys-off': { ansible_ssh_common_args: '-o StrictHostKeyChecking=yes' } }, 'keys-off');
});

test('a jump host loop is refused, naming the path', () => {
  const hosts = {
    a: { ploy_jump_host: 'b' },
    b: { ploy_jump_host: 'c' },
    c: { ansible_ssh_common_args: '-J a' },
  };
  inputError(() => specOf(hosts, 'a', noSshConfig), 'loop', 'a -> b -> c -> a');
  inputError(() => specOf({ self: { ploy_jump_host: 'self' } }, 'self', noSshConfig), 'loop', 'self -> self');
});

test.run();
