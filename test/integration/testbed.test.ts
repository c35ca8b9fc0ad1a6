import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, TESTBED_USERS, type Testbed } from '../testbed/bed.ts';
import { bannerFromController } from '../testbed/container.ts';
import { nspawnPidsWithPrefix, pidsMounting } from '../testbed/processes.ts';

const exec = promisify(execFile);

let bed: Testbed;

/** Run the system ssh client; its exit code and output, never a throw. */
async function ssh(args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  try {
    const { stdout, stderr } = await exec('ssh', args, { timeout: timeoutMs });
    return { code: 0, stdout, stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '', ms: Date.now() - started };
  }
}

function strictArgs(user: string, ip: string, command: string): string[] {
  return ['-i', bed.keyPath, '-o', `UserKnownHostsFile=${bed.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', `${user}@${ip}`, command];
}

/** The bed's traces on the machine, by the names its hosts were given. */
async function traces(prefix: string): Promise<{ netns: string; links: string; mounts: string; nspawn: number[] }> {
  const netns = (await exec('ip', ['netns', 'list'])).stdout;
  const links = (await exec('ip', ['-o', 'link', 'show'])).stdout;
  return {
    netns: netns
      .split('\n')
      .filter((l) => l.startsWith(`${prefix}-`))
      .join('\n'),
    links: links
      .split('\n')
      .filter((l) => new RegExp(`: ${prefix}[a-z]`).test(l))
      .join('\n'),
    mounts: readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(bed.dir))
      .join('\n'),
    nspawn: nspawnPidsWithPrefix(prefix),
  };
}

function prefixOf(b: Testbed): string {
  return b.host(b.hosts[0]!.name).netns.split('-')[0]!;
}

beforeAll(test, async () => {
  bed = await startTestbed({
    hosts: [{ name: 'bastion' }, { name: 'app1', network: 'private' }, { name: 'app2', network: 'private' }, { name: 'web' }],
    bastion: 'bastion',
  });
});

test.after(async () => {
  await bed?.stop();
});

test('public hosts answer SSH from the controller with the bed key and known_hosts', async () => {
  for (const name of ['bastion', 'web']) {
    const result = await ssh(strictArgs('root', bed.host(name).ip, 'hostname'));
    assert.is(result.code, 0, `ssh root@${name}: ${result.stderr}`);
    assert.is(result.stdout.trim(), name);
  }
  const knownHosts = readFileSync(bed.knownHostsPath, 'utf8');
  assert.match(knownHosts, new RegExp(`^${bed.host('web').ip.replace(/\./g, '\\.')} ssh-ed25519 `, 'm'));
});

test('a private host is unreachable from the controller, and reachable through the bastion', async () => {
  const app1 = bed.host('app1');
  assert.is(app1.network, 'private');
  const direct = await ssh(['-o', 'ConnectTimeout=3', ...strictArgs('root', app1.ip, 'true')]);
  assert.is.not(direct.code, 0, 'a private host answered the controller directly');
  assert.ok(direct.ms < 3000, `direct connection took ${direct.ms} ms to fail`);

  const bastion = bed.host('bastion');
  const jumped = await ssh(['-F', bed.sshConfigPath, '-J', `root@${bastion.ip}`, `root@${app1.ip}`, 'hostname']);
  assert.is(jumped.code, 0, `ssh -J: ${jumped.stderr}`);
  assert.is(jumped.stdout.trim(), 'app1');
  const forwarding = await bed.sh('bastion', 'sysctl -n net.ipv4.ip_forward; ip -4 -o addr show eth1');
  assert.match(forwarding.stdout, /^0\n/);
  assert.ok(forwarding.stdout.includes(`${bastion.privateIp}/24`));
});

test('the inventory lists every host, the jump host of private ones, and the groups', async () => {
  const inventory = readFileSync(bed.inventoryPath, 'utf8');
  const { parse } = await import('yaml');
  const all = (parse(inventory) as { all: { vars: Record<string, string>; hosts: Record<string, Record<string, string>>; children: Record<string, { hosts: Record<string, unknown> }> } }).all;
  assert.is(all.vars.ansible_user, 'root');
  assert.is(all.vars.ansible_ssh_private_key_file, bed.keyPath);
  assert.equal(all.hosts.app2, { ansible_host: bed.host('app2').ip, ploy_jump_host: 'bastion' });
  assert.equal(all.hosts.web, { ansible_host: bed.host('web').ip });
  assert.equal(Object.keys(all.children.bastion!.hosts), ['bastion']);
  assert.equal(Object.keys(all.children.servers!.hosts), ['app1', 'app2', 'web']);
});

test('bed.sh runs a command as root inside the host, without SSH', async () => {
  const result = await bed.sh('app2', 'echo "$(hostname) $(id -u)"; systemctl is-active ssh; exit 3');
  assert.is(result.code, 3);
  assert.is(result.stdout, 'app2 0\nactive\n');
  const drift = await bed.sh('web', 'echo drifted > /etc/motd && cat /etc/motd');
  assert.is(drift.stdout, 'drifted\n');
  const other = await bed.sh('bastion', 'cat /etc/motd');
  assert.is.not(other.stdout, 'drifted\n', 'hosts share a disk');
});

test('deploy has passwordless sudo; alice needs her password', async () => {
  const ip = bed.host('web').ip;
  const deploy = await ssh(strictArgs('deploy', ip, 'id -u && sudo -n true && echo sudo-ok'));
  assert.is(deploy.stdout, `${TESTBED_USERS.deploy.uid}\nsudo-ok\n`, deploy.stderr);
  const withoutPassword = await ssh(strictArgs('alice', ip, 'sudo -n true'));
  assert.is.not(withoutPassword.code, 0);
  assert.match(withoutPassword.stderr, /password is required/);
  const withPassword = await ssh(strictArgs('alice', ip, `echo ${TESTBED_USERS.alice.sudoPassword} | sudo -S -p '' id -u`));
  assert.is(withPassword.code, 0, withPassword.stderr);
  assert.is(withPassword.stdout.trim(), '0');
});

test("no host creates /run/nologin at boot (until it goes, sshd refuses every login but root's)", async () => {
  for (const name of ['web', 'app2']) {
    const rules = await bed.sh(name, "systemd-tmpfiles --cat-config | grep -v '^#' | grep -c /run/nologin || true; test -e /run/nologin && echo present || echo absent");
    assert.is(rules.stdout, '0\nabsent\n', name);
  }
});

test('stopHost powers a host off; startHost brings it back with its address, keys and disk', async () => {
  const web = bed.host('web');
  await bed.sh('web', 'touch /root/kept-across-restart');
  await bed.stopHost('web');
  assert.is(web.leaderPid, 0);
  assert.is(await bannerFromController(web.ip), false, 'port 22 still answers after stopHost');
  await bed.startHost('web');
  assert.ok(web.leaderPid > 0);
  const back = await ssh(strictArgs('root', web.ip, 'test -e /root/kept-across-restart && echo kept'));
  assert.is(back.code, 0, back.stderr);
  assert.is(back.stdout, 'kept\n');
});

test('a second bed with NAT runs alongside in its own address block and reaches Debian mirrors', async () => {
  const natBed = await startTestbed({ hosts: [{ name: 'solo' }], nat: true });
  try {
    const solo = natBed.host('solo');
    assert.is.not(solo.ip.split('.')[2], bed.host('web').ip.split('.')[2]);
    const fetch = await natBed.sh('solo', `python3 -c 'import urllib.request as u; print(u.urlopen("http://deb.debian.org/debian/dists/bookworm/Release", timeout=20).status)'`);
    assert.is(fetch.stdout.trim(), '200', fetch.stderr);
  } finally {
    await natBed.stop();
  }
  const table = await exec('nft', ['list', 'tables']);
  assert.not.match(table.stdout, new RegExp(`ploy_testbed_${natBed.host('solo').ip.split('.')[2]}\\b`));
});

test('stop() leaves no namespace, mount, bridge, container or directory of the bed behind', async () => {
  const prefix = prefixOf(bed);
  const before = await traces(prefix);
  assert.ok(before.netns && before.links && before.mounts && before.nspawn.length === 4, 'the bed was not fully up');
  await bed.stop();
  await bed.stop();
  assert.equal(await traces(prefix), { netns: '', links: '', mounts: '', nspawn: [] });
  assert.equal(pidsMounting(bed.dir), [], 'a container init outlived its systemd-nspawn');
  assert.not.ok(existsSync(bed.dir), `${bed.dir} was left behind`);
  const routes = (await exec('ip', ['route', 'show', 'table', 'all'])).stdout;
  assert.not.ok(routes.includes(bed.host('app1').ip.split('.').slice(0, 3).join('.') + '.'), 'a route of the bed was left behind');
});

test.run();
