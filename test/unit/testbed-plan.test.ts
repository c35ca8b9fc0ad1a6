import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { renderInventory, renderKnownHosts, renderSshConfig } from '../testbed/bed-files.ts';
import { MAX_BED_INDEX, planBed, validateHosts, type TestbedHostSpec } from '../testbed/plan.ts';
import { inputError } from '../support/input-error.ts';

const paths = { keyPath: '/bed/id_ed25519', knownHostsPath: '/bed/known_hosts', sshConfigPath: '/bed/ssh_config' };
const withBastion: TestbedHostSpec[] = [{ name: 'bastion' }, { name: 'app1', network: 'private' }, { name: 'web' }];

test('planBed gives each host .(10+i) on its network and the bastion an address on both', () => {
  const plan = planBed(withBastion, 'bastion', 7);
  assert.is(plan.gateway, '10.231.7.1');
  assert.is(plan.privateSubnet, '10.232.7.0/24');
  const [bastion, app1, web] = plan.hosts;
  assert.equal([bastion?.ip, bastion?.privateIp, bastion?.privateVeth], ['10.231.7.10', '10.232.7.10', 'pt7w0']);
  assert.equal([app1?.ip, app1?.jumpHost, app1?.privateIp], ['10.232.7.11', 'bastion', undefined]);
  assert.equal([web?.ip, web?.jumpHost, web?.network], ['10.231.7.12', undefined, 'public']);
  assert.is(planBed([{ name: 'a' }], undefined, 7).privateBridge, undefined);
});

test('interface names fit in 15 characters at the largest index and host count', () => {
  const hosts = Array.from({ length: 240 }, (_, i): TestbedHostSpec => ({ name: `host-number-${i}` }));
  const plan = planBed(hosts, 'host-number-0', MAX_BED_INDEX);
  const names = [plan.publicBridge, plan.privateBridge ?? '', ...plan.hosts.flatMap((h) => [h.veth, h.privateVeth ?? ''])];
  for (const name of names) assert.ok(name.length <= 15, `${name} is longer than 15 characters`);
  assert.is(new Set(names.filter(Boolean)).size, names.filter(Boolean).length, 'interface names collide');
});

test('options that cannot make a bed are refused, naming the field', () => {
  assert.is(inputError(() => validateHosts([], undefined)).where?.field, 'hosts');
  assert.is(inputError(() => validateHosts([{ name: 'a' }, { name: 'a' }], undefined)).where?.field, 'hosts[1].name');
  assert.is(inputError(() => validateHosts([{ name: 'Web_1' }], undefined)).where?.field, 'hosts[0].name');
  assert.is(inputError(() => validateHosts([{ name: 'a', network: 'private' }], undefined)).where?.field, 'hosts[0].network');
  assert.match(inputError(() => validateHosts([{ name: 'a' }], 'b')).message, /bastion "b" is not one of the hosts/);
  assert.match(inputError(() => validateHosts([{ name: 'b', network: 'private' }], 'b')).message, /must be a public host/);
});

test('the inventory is Ansible YAML with vars, hosts, jump hosts and groups', () => {
  const inventory = parse(renderInventory(planBed(withBastion, 'bastion', 3), paths)) as { all: Record<string, unknown> };
  assert.equal(inventory.all, {
    vars: { ansible_user: 'root', ansible_ssh_private_key_file: '/bed/id_ed25519', ansible_ssh_common_args: '-F /bed/ssh_config' },
    hosts: {
      bastion: { ansible_host: '10.231.3.10' },
      app1: { ansible_host: '10.232.3.11', ploy_jump_host: 'bastion' },
      web: { ansible_host: '10.231.3.12' },
    },
    children: { bastion: { hosts: { bastion: {} } }, servers: { hosts: { app1: {}, web: {} } } },
  });
  const plain = parse(renderInventory(planBed([{ name: 'a' }], undefined, 3), paths)) as { all: { children: unknown } };
  assert.equal(plain.all.children, { servers: { hosts: { a: {} } } });
});

test('known_hosts has one line per key and address, the bastion under both of its addresses', () => {
  const plan = planBed([{ name: 'bastion' }, { name: 'app1', network: 'private' }], 'bastion', 3);
  const text = renderKnownHosts(plan, [
    { host: 'bastion', publicKeys: ['ssh-ed25519 AAAAbastion root@build'] },
    { host: 'app1', publicKeys: ['ssh-ed25519 AAAAapp1', 'ecdsa-sha2-nistp256 AAAAecdsa'] },
  ]);
  assert.is(text, '10.231.3.10 ssh-ed25519 AAAAbastion\n10.232.3.10 ssh-ed25519 AAAAbastion\n10.232.3.11 ssh-ed25519 AAAAapp1\n10.232.3.11 ecdsa-sha2-nistp256 AAAAecdsa\n');
});

test('the ssh config sends private hosts through the bastion, by name or address', () => {
  const config = renderSshConfig(planBed(withBastion, 'bastion', 3), paths);
  assert.match(config, /^Host app1 10\.232\.3\.11\n  HostName 10\.232\.3\.11\n  ProxyJump bastion$/m);
  assert.not.match(config, /Host web [^\n]*\n[^\n]*\n  ProxyJump/);
  assert.ok(config.indexOf('Host *') > config.indexOf('Host web'), 'defaults must come after the host blocks');
});

test.run();
