import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';
import { jumpFromSshArgs, parseProxyJump, splitShellWords, sshOptionFromArgs } from '../../lib/connection/proxy-jump.ts';

const where = { host: 'web1', field: 'ansible_ssh_common_args' };
const isInputError =
  (...fragments: string[]) =>
  (e: unknown) =>
    e instanceof InputError && fragments.every((f) => (e as Error).message.includes(f));

test('ProxyJump values: host, user@host, host:port, ssh:// URIs, IPv6, chains and none', () => {
  assert.equal(parseProxyJump('bastion', where), [{ host: 'bastion' }]);
  assert.equal(parseProxyJump('ops@10.0.0.1:2222', where), [{ host: '10.0.0.1', user: 'ops', port: 2222 }]);
  assert.equal(parseProxyJump('ssh://ops@jump.example:22', where), [{ host: 'jump.example', user: 'ops', port: 22 }]);
  assert.equal(parseProxyJump('root@[fd00::1]:2200', where), [{ host: 'fd00::1', user: 'root', port: 2200 }]);
  assert.equal(parseProxyJump('a, b@c', where), [{ host: 'a' }, { host: 'c', user: 'b' }]);
  assert.equal(parseProxyJump('none', where), []);
});

test('bad ProxyJump values are InputErrors naming host and field', () => {
  assert.throws(() => parseProxyJump('a:b:c', where), isInputError('host web1', 'ansible_ssh_common_args', 'a:b:c'));
  assert.throws(() => parseProxyJump('h:0', where), isInputError('port'));
  assert.throws(() => parseProxyJump('h:99999', where), isInputError('port'));
  assert.throws(() => parseProxyJump('@h', where), isInputError('@h'));
});

test('ssh args: -J, -Jx, -o ProxyJump=, -oProxyJump, quoted -o "ProxyJump x", first one wins', () => {
  assert.equal(jumpFromSshArgs('-o StrictHostKeyChecking=no -J ops@b1', where), [{ host: 'b1', user: 'ops' }]);
  assert.equal(jumpFromSshArgs('-Jb2:2200', where), [{ host: 'b2', port: 2200 }]);
  assert.equal(jumpFromSshArgs('-o ProxyJump=b3', where), [{ host: 'b3' }]);
  assert.equal(jumpFromSshArgs('-oProxyJump=b4,b5', where), [{ host: 'b4' }, { host: 'b5' }]);
  assert.equal(jumpFromSshArgs(`-o 'proxyjump b6' -J b7`, where), [{ host: 'b6' }]);
  assert.is(jumpFromSshArgs('-o ServerAliveInterval=30 -C', where), undefined);
});

test('ssh args: ProxyCommand ssh -W %h:%p with -p/-l/-i/-o/-q; other ProxyCommands refused', () => {
  assert.equal(jumpFromSshArgs(`-o ProxyCommand="ssh -W %h:%p -q ops@bastion"`, where), [{ host: 'bastion', user: 'ops' }]);
  assert.equal(jumpFromSshArgs(`-o 'ProxyCommand=ssh -o StrictHostKeyChecking=no -p 2222 -l admin -i ~/.ssh/j -W %h:%p 10.0.0.1'`, where), [
    { host: '10.0.0.1', user: 'admin', port: 2222, privateKeyFile: '~/.ssh/j' },
  ]);
  assert.throws(() => jumpFromSshArgs(`-o ProxyCommand="nc %h %p"`, where), isInputError('ProxyCommand', 'ProxyJump', 'web1'));
  assert.throws(() => jumpFromSshArgs(`-o ProxyCommand="ssh bastion nc %h %p"`, where), isInputError('not supported'));
});

test('ssh args: any -o option by name, case-insensitive, first one wins; arguments of -F and -J are not options', () => {
  assert.is(sshOptionFromArgs('-o StrictHostKeyChecking=yes -o stricthostkeychecking=accept-new', 'StrictHostKeyChecking', where), 'yes');
  assert.is(sshOptionFromArgs(`-F /cfg -oUserKnownHostsFile='/a b' -J b1`, 'UserKnownHostsFile', where), '/a b');
  assert.is(sshOptionFromArgs('-o "UserKnownHostsFile /x /y"', 'UserKnownHostsFile', where), '/x /y');
  assert.is(sshOptionFromArgs('-F -oUserKnownHostsFile=/not-an-option', 'UserKnownHostsFile', where), undefined);
  assert.is(sshOptionFromArgs('-o ProxyJump=b1', 'UserKnownHostsFile', where), undefined);
});

test('shell word splitting: quotes and backslashes as /bin/sh does', () => {
  assert.equal(splitShellWords(`a 'b c' "d \\"e\\"" f\\ g ''`, where), ['a', 'b c', 'd "e"', 'f g', '']);
  assert.throws(() => splitShellWords(`-o 'oops`, where), isInputError('unterminated'));
});

test.run();
