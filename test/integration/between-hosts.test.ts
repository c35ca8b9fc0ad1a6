/**
 * Values between hosts on the test bed (a bastion and three servers only it reaches), through the
 * real CLI: server1's join token and kubeconfig, read there as Secrets, reach server2, server3 and
 * the bastion in the same run (test/fixtures/between-hosts/play.ts); a delegated task through the
 * bastion and its report line; runOnce per serial batch; retries; role-level become; the secret
 * facts in no output mode and in no file on the controller. Facts on real hosts, through runPlay.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import type { HostFacts } from '../../lib/facts/host-facts.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import { defineModule } from '../../lib/module.ts';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { beforeAll } from '../support/before-all.ts';
import { Recorder } from '../support/observed-run.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, ROOT, runCli, shown, type CliRun } from './faults-cli.ts';

const PLAYBOOK = 'test/fixtures/between-hosts/play.ts';
const TOKEN = `K10${randomBytes(16).toString('hex')}::server:${randomBytes(8).toString('hex')}`;
const CLIENT_KEY = randomBytes(24).toString('base64');
let bed: Testbed;
let home: string;
let inventory: string;

function ploy(args: string[]): Promise<CliRun> {
  return runCli(PLAYBOOK, ['-i', inventory, ...args], { home, boundMs: 90_000 });
}

function leaks(run: CliRun): boolean {
  const all = run.stdout + run.stderr;
  return all.includes(TOKEN) || all.includes(TOKEN.split('::server:')[1] as string) || all.includes(CLIENT_KEY);
}

beforeAll(test, async () => {
  bed = await startTestbed({
    hosts: [{ name: 'bastion' }, { name: 'server1', network: 'private' }, { name: 'server2', network: 'private' }, { name: 'server3', network: 'private' }],
    bastion: 'bastion',
  });
  home = cliHome(bed);
  inventory = join(bed.dir, 'between-hosts.yml');
  const server = (name: string): string[] => [`        ${name}:`, `          ansible_host: ${bed.host(name).ip}`, '          ploy_jump_host: bastion'];
  writeFileSync(
    inventory,
    [
      'all:',
      '  vars:',
      '    ansible_user: deploy',
      `    ansible_ssh_private_key_file: ${bed.keyPath}`,
      '  children:',
      '    bastion:',
      '      hosts:',
      '        bastion:',
      `          ansible_host: ${bed.host('bastion').ip}`,
      '    k3s_servers:',
      '      hosts:',
      ...server('server1'),
      ...server('server2'),
      ...server('server3'),
      '',
    ].join('\n'),
  );
  const kubeconfig = `apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: default\nusers:\n- name: default\n  user:\n    client-key-data: ${CLIENT_KEY}\n`;
  await bed.sh(
    'server1',
    `mkdir -p /var/lib/rancher/k3s/server /etc/rancher/k3s && umask 077 && printf '%s\\n' '${TOKEN}' > /var/lib/rancher/k3s/server/token && printf '%s' '${kubeconfig}' > /etc/rancher/k3s/k3s.yaml`,
  );
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
});

test('converge: the token and kubeconfig of server1 reach the others in the same run; delegation, runOnce, retries, become', async () => {
  const run = await ploy(['-v']);
  assert.is(run.code, 0, shown(run));
  assert.ok(!leaks(run), 'a secret fact showed in the output');
  assert.match(run.stdout, /\*\*\*/, 'masked where it would have shown');
  const s1 = bed.host('server1').ip;
  for (const host of ['server2', 'server3']) {
    const config = (await bed.sh(host, 'stat -c %a /etc/rancher/k3s/config.yaml && cat /etc/rancher/k3s/config.yaml')).stdout;
    assert.is(config, `600\nserver: https://${s1}:6443\ntoken: ${TOKEN}\n`);
  }
  const kubeconfig = (await bed.sh('bastion', 'stat -c %a /root/.kube/config && cat /root/.kube/config')).stdout;
  assert.match(kubeconfig, /^600\n/);
  assert.match(kubeconfig, `server: https://${s1}:6443`);
  assert.match(kubeconfig, `client-key-data: ${CLIENT_KEY}`);
  assert.match(run.stdout, /ok: \[server2 -> server1\] the first server holds a token/);
  assert.match(run.stdout, /ok: \[server3 -> server1\] the first server holds a token/);
  assert.match(run.stdout, /\[server2 -> server1\] rc=0/, 'the delegated command is shown under both names with -v');
  const ranOnce = await Promise.all(['server1', 'server2', 'server3'].map(async (h) => (await bed.sh(h, 'cat /var/tmp/ran-once 2>/dev/null || echo none')).stdout.trim()));
  assert.equal(ranOnce, ['server1', 'none', 'server3'], 'serial 2: once on the first host of each batch');
  assert.match(run.stdout, /changed: \[server1\] wait until the counter reaches the mark \(3 tries\)/);
  assert.is((run.stdout.match(/failed: \[server1\] wait until the counter reaches the mark - retrying/g) ?? []).length, 2, 'each try that did not do is shown with -v');
  assert.is((await bed.sh('bastion', 'cat /var/tmp/uids')).stdout, '1000 0\n', 'role-level become, and a task that says become: false');
});

test('every output mode: the secret facts never show; a re-run changes nothing but the retried command', async () => {
  for (const args of [[], ['-vv'], ['-vvv', '--diff'], ['--json'], ['--check', '--diff', '-vv']]) {
    const run = await ploy(args);
    assert.is(run.code, 0, `${args.join(' ')}\n${shown(run)}`);
    assert.ok(!leaks(run), `a secret showed with ${args.join(' ')}`);
    if (args.includes('--json')) {
      const stats = (JSON.parse(run.stdout) as { stats: Record<string, { changed: number }> }).stats;
      assert.equal(Object.fromEntries(Object.entries(stats).map(([h, s]) => [h, s.changed])), { server1: 1, server2: 0, server3: 0, bastion: 0 });
    }
  }
  const found = execFileSync('sh', ['-c', `grep -rlF --exclude-dir=node_modules --exclude-dir=.git --exclude-dir='ploy-testbed-*' -- '${TOKEN}' /tmp ${ROOT} 2>/dev/null || true`], {
    encoding: 'utf8',
  });
  assert.is(found, '', 'no file on the controller holds the token');
});

test("retries that run out: the last failure is the task's, and the host stops there", async () => {
  const run = await ploy(['-e', 'wait_until=1000', '-e', 'wait_retries=2']);
  assert.is(run.code, 2, shown(run));
  assert.match(run.stdout, /failed: \[server1\] wait until the counter reaches the mark \(3 tries\) => /);
  assert.not.match(run.stdout, /\[server1\] once per batch/, 'a failed host takes no part in later roles');
});

test('facts of real hosts: OS, architecture in both spellings, kernel, memory, addresses; the default IPv4 follows the default route', async () => {
  await bed.sh('bastion', `ip route replace default via ${bed.host('bastion').ip.replace(/\.\d+$/, '.1')}`);
  const seen = new Map<string, HostFacts>();
  const keep = defineModule<{ facts: HostFacts }>({ name: 'keep', validate: (a) => a, plan: async (ctx, args) => (seen.set(ctx.host, args.facts), { changes: [] }) });
  const role = defineRole({
    name: 'facts',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('keep', keep, { facts: await t.facts() });
    },
  }) as Role;
  const reporter = new Recorder();
  const summary = await runPlay(
    definePlay({ name: 'facts', roles: [role] }),
    { inventory: await loadInventory(inventory), check: true, diff: false, forks: 4, extraVars: {}, projectDir: bed.dir, connections: new ConnectionPool({ knownHostsFile: bed.knownHostsPath }) },
    reporter,
  );
  assert.is(summary.exitCode, 0, reporter.problems());
  for (const host of ['bastion', 'server1']) {
    const facts = seen.get(host);
    const truth = (await bed.sh(host, '. /etc/os-release; echo "$ID $VERSION_ID $VERSION_CODENAME"; uname -m; uname -r; hostname')).stdout.trim().split('\n');
    assert.is(`${facts?.os.id} ${facts?.os.versionId} ${facts?.os.codename}`, truth[0]);
    assert.is(facts?.arch.machine, truth[1]);
    assert.is(facts?.arch.go, truth[1] === 'x86_64' ? 'amd64' : truth[1] === 'aarch64' ? 'arm64' : truth[1]);
    assert.is(facts?.arch.debian, facts?.arch.go === 'amd64' || facts?.arch.go === 'arm64' ? facts?.arch.go : facts?.arch.debian);
    assert.is(facts?.kernel, truth[2]);
    assert.is(facts?.hostname, truth[3]);
    assert.ok((facts?.memoryMiB ?? 0) > 64);
    assert.ok(
      facts?.ipv4.some((a) => a.address === bed.host(host).ip),
      JSON.stringify(facts?.ipv4),
    );
  }
  assert.is(seen.get('bastion')?.defaultIPv4?.address, bed.host('bastion').ip);
  assert.is(seen.get('bastion')?.defaultIPv4?.gateway, bed.host('bastion').ip.replace(/\.\d+$/, '.1'));
  assert.is(seen.get('server1')?.defaultIPv4, undefined, 'no default route: no default IPv4, as in Ansible');
});

test.run();
