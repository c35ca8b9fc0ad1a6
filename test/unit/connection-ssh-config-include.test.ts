/**
 * ssh config files with Include, resolved by ploy and by OpenSSH itself (`ssh -G -F FILE HOST`
 * prints the configuration ssh would use, without connecting): relative includes (which OpenSSH
 * looks for in ~/.ssh), globs, absolute and ~ paths, nested includes, Include inside Host and Match
 * blocks, a Match final pass. The included files live in a fresh directory inside the real
 * ~/.ssh, because that is where ssh resolves a relative Include; it is removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connectionSpecFor } from '../../lib/connection/spec.ts';
import { expandSshPath, sshConfigLookup, type SshConfigEntry } from '../../lib/connection/ssh-config.ts';
import type { Inventory } from '../../lib/inventory/types.ts';
import { inputError } from '../support/input-error.ts';

const home = userInfo().homedir;
const sshDir = join(home, '.ssh');
mkdirSync(sshDir, { recursive: true, mode: 0o700 });
const included = mkdtempSync(join(sshDir, 'ploy-include-test-'));
const rel = basename(included);
const outside = mkdtempSync(join(tmpdir(), 'ploy-ssh-config-'));
test.after(() => {
  rmSync(included, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function write(path: string, lines: string[]): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}

write(join(included, 'conf.d', '10-alpha.conf'), ['Host alpha', '  HostName Alpha.Example', '  Port 2222']);
write(join(included, 'conf.d', '20-users.conf'), ['Host alpha beta', '  User fromglob', 'Host beta', '  StrictHostKeyChecking yes']);
write(join(included, 'conf.d', '.hidden.conf'), ['Host *', '  User hidden-file-must-not-match']);
write(join(included, 'conf.d', 'notes.txt'), ['Host *', '  User txt-file-must-not-match']);
write(join(included, 'web-extra.conf'), [
  '# included inside "Host web*": these lines start in that block',
  'Port 2022',
  'Host web2',
  '  HostName web2.internal',
  'Host db*',
  '  User only-if-the-include-line-was-active',
]);
write(join(included, 'nested.conf'), [`Include ${rel}/nested-2.conf`, 'User nesteduser']);
write(join(included, 'nested-2.conf'), ['HostName %h.nested.example', 'ProxyJump jump.example']);
write(join(included, 'tilde.conf'), ['Host tilde*', '  Port 2300']);
const absolute = write(join(outside, 'absolute.conf'), ['Host abs', '  User absuser']);
const main = write(join(outside, 'config'), [
  `Include ${rel}/conf.d/*.conf ${rel}/missing/*.conf ${rel}/no-such-file`,
  `Include ${absolute}`,
  `Include ~/.ssh/${rel}/tilde.conf`,
  'Host web*',
  '  User webuser',
  `  Include ${rel}/web-extra.conf`,
  '  IdentityFile ~/.ssh/id_web',
  'Host db1',
  '  Port 2201',
  'Match originalhost cache*',
  `  Include ${rel}/nested.conf`,
  'Match final host *.nested.example',
  '  UserKnownHostsFile ~/.ssh/known_hosts_nested',
  'Host * !other',
  '  IdentityFile ~/.ssh/id_all',
  'Host *',
  '  IdentityFile ~/.ssh/id_last',
]);

const HOSTS = ['alpha', 'beta', 'web1', 'web2', 'db1', 'cache1', 'tilde1', 'abs', 'other'];
const FIELDS = ['hostname', 'user', 'port', 'identityfile', 'proxyjump', 'userknownhostsfile', 'stricthostkeychecking'] as const;

/** What `ssh -G` prints for the fields ploy reads: each a list of the values it printed, in order. */
function openssh(host: string): Record<string, string[]> {
  const output = execFileSync('ssh', ['-G', '-F', main, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const fields: Record<string, string[]> = {};
  for (const line of output.split('\n')) {
    const [key, ...value] = line.split(' ');
    if (key && (FIELDS as readonly string[]).includes(key)) (fields[key] ??= []).push(value.join(' '));
  }
  return fields;
}

/** ploy's entry with the defaults ssh -G fills in for what the config leaves unset. */
function ploy(entry: SshConfigEntry, host: string): Record<string, string[]> {
  const strict = { yes: 'true', no: 'false' }[entry.strictHostKeyChecking ?? ''] ?? entry.strictHostKeyChecking ?? 'ask';
  return {
    hostname: [entry.hostName ?? host],
    user: [entry.user ?? userInfo().username],
    port: [entry.port ?? '22'],
    identityfile: entry.identityFiles,
    ...(entry.proxyJump ? { proxyjump: [entry.proxyJump] } : {}),
    // ssh -G prints these expanded, as ploy uses them (host-key-settings.ts).
    userknownhostsfile: [(entry.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((file) => expandSshPath(file, { host, user: entry.user ?? userInfo().username })).join(' ')],
    stricthostkeychecking: [strict],
  };
}

test('every host resolves as ssh -G resolves it', () => {
  const lookup = sshConfigLookup(`Include ${main}\n`, undefined, home);
  for (const host of HOSTS) {
    const expected = openssh(host);
    assert.equal(ploy(lookup(host), host), expected, `host ${host}`);
  }
});

test('what the includes decided, spelled out (so the comparison above is not vacuous)', () => {
  const lookup = sshConfigLookup(`Include ${main}\n`, undefined, home);
  assert.equal(
    lookup('alpha'),
    { identityFiles: ['~/.ssh/id_all', '~/.ssh/id_last'], hostName: 'alpha.example', user: 'fromglob', port: '2222' },
    'relative glob, sorted, dotfiles and other names left out',
  );
  assert.is(lookup('beta').strictHostKeyChecking, 'yes');
  assert.ok(lookup('beta').file?.endsWith('20-users.conf'), 'a value names the included file it came from');
  assert.equal(
    lookup('web2'),
    { identityFiles: ['~/.ssh/id_web', '~/.ssh/id_all', '~/.ssh/id_last'], hostName: 'web2.internal', user: 'webuser', port: '2022' },
    'an Include inside Host: its lines start in that block, and the block goes on after it',
  );
  assert.is(lookup('db1').user, undefined, 'Host lines of a file included from an inactive block never match');
  assert.is(lookup('db1').port, '2201');
  const cache = lookup('cache1');
  assert.equal(
    [cache.hostName, cache.user, cache.proxyJump, cache.userKnownHostsFiles],
    ['cache1.nested.example', 'nesteduser', 'jump.example', ['~/.ssh/known_hosts_nested']],
    'nested include inside Match, then the final pass',
  );
  assert.is(lookup('tilde1').port, '2300');
  assert.is(lookup('abs').user, 'absuser');
  assert.equal(lookup('other').identityFiles, ['~/.ssh/id_last']);
});

test('a config given with -F in the inventory follows its includes too', () => {
  const alpha = { name: 'alpha', groups: ['all'], vars: { ansible_ssh_common_args: `-F ${main}` } };
  const inventory: Inventory = { source: 'inventory/test.yml', hosts: new Map([['alpha', alpha]]), groups: new Map(), select: () => ['alpha'], host: () => alpha };
  const spec = connectionSpecFor(inventory, 'alpha', alpha.vars);
  assert.equal([spec.endpoint.address, spec.endpoint.port, spec.endpoint.user], ['alpha.example', 2222, 'fromglob']);
});

test('an Include loop is refused naming the file, as ssh refuses it', () => {
  const loop = write(join(included, 'loop.conf'), [`Include ${rel}/loop.conf`]);
  const ssh = spawnSync('ssh', ['-G', '-F', loop, 'x'], { encoding: 'utf8' });
  assert.is.not(ssh.status, 0);
  assert.match(ssh.stderr, /Too many recursive configuration includes/);
  inputError(() => sshConfigLookup(`Include ${loop}\n`, undefined, home)('x'), 'loop.conf', 'Include nested more than 16 deep');
});

test('bad lines are errors naming file and line, as they are for ssh', () => {
  const bad = write(join(included, 'bad.conf'), ['Host x', '  User "unclosed']);
  inputError(() => sshConfigLookup(`Include ${bad}\n`, undefined, home)('x'), `${bad}:2`, 'invalid quotes');
  inputError(() => sshConfigLookup('Host x\nMatch nosuch y\n', 'cfg', home)('x'), 'cfg:2', 'unsupported Match criterion');
  assert.is.not(spawnSync('ssh', ['-G', '-F', bad, 'x']).status, 0);
});

test.run();
