import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalKey, editSysctlConf, normalValue, procPath } from '../../lib/modules/support/sysctl-conf.ts';

test('keys: dotted or slashed, a slash inside a dotted part is a dot in /proc (interface eth0.1)', () => {
  assert.is(canonicalKey('net/ipv4/ip_forward'), 'net.ipv4.ip_forward');
  assert.is(canonicalKey('net.ipv4.ip_forward'), 'net.ipv4.ip_forward');
  assert.is(canonicalKey('net/ipv4/conf/eth0.1/forwarding'), 'net.ipv4.conf.eth0/1.forwarding');
  assert.is(procPath('net.ipv4.conf.eth0/1.forwarding'), '/proc/sys/net/ipv4/conf/eth0.1/forwarding');
  assert.is(procPath('kernel.domainname'), '/proc/sys/kernel/domainname');
  assert.is(normalValue(' 4096\t87380   6291456 '), '4096 87380 6291456');
});

test('set: appended when missing, first line rewritten only when its value differs, later duplicates dropped', () => {
  assert.equal(editSysctlConf('', 'vm.swappiness', '10'), { text: 'vm.swappiness = 10\n', before: undefined, changed: true });
  const file = '# tuned\nvm.swappiness=10\nnet.core.somaxconn = 1024\n';
  assert.equal(editSysctlConf(file, 'vm/swappiness', '10'), { text: file, before: '10', changed: false }, 'same value, other spelling: untouched');
  assert.equal(editSysctlConf(file, 'vm.swappiness', '20'), { text: '# tuned\nvm.swappiness = 20\nnet.core.somaxconn = 1024\n', before: '10', changed: true });
  const twice = 'vm.swappiness = 10\nx.y = 1\n-vm.swappiness = 30\n';
  assert.equal(editSysctlConf(twice, 'vm.swappiness', '10'), { text: 'vm.swappiness = 10\nx.y = 1\n', before: '30', changed: true });
  assert.equal(editSysctlConf('net.ipv4.tcp_rmem = 4096\t87380 6291456', 'net.ipv4.tcp_rmem', '4096 87380 6291456').changed, false);
  assert.is(editSysctlConf('a.b = 1', 'c.d', '2').text, 'a.b = 1\nc.d = 2\n', 'a file without a final newline');
});

test('remove: every line for the key goes, comments and other keys stay', () => {
  assert.equal(editSysctlConf('; note\nvm.swappiness = 1\na.b = 2\nvm.swappiness=3\n', 'vm.swappiness', undefined), { text: '; note\na.b = 2\n', before: '3', changed: true });
  assert.equal(editSysctlConf('a.b = 2\n', 'vm.swappiness', undefined), { text: 'a.b = 2\n', before: undefined, changed: false });
  assert.is(editSysctlConf('vm.swappiness = 1\n', 'vm.swappiness', undefined).text, '');
});

test.run();
