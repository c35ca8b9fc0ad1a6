/**
 * The k3s-server role when things go wrong, through the real CLI on the cluster bed (a bastion and
 * three private servers, the STAND-IN k3s from the release mirror). Bad input first, on fresh
 * hosts: each a clear error naming where, exit 1, and no SSH login on any host (their sshd
 * journals) and nothing of K3s on them. Then the faults, each on a fresh cluster: server2
 * unreachable mid-run (server3 never asks to join), the first server down when a join starts (a
 * clear failure, nothing left running on the joiner), a SIGINT mid-join; after each, a re-run
 * completes the cluster with the joins in order (the stand-in's event logs).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { eventsOf, k3sReleasePath, nerdctlReleasePath, startClusterBed, type ClusterBed, type ClusterInventoryOptions } from '../support/cluster-bed.ts';
import { setReadyDelay } from '../support/k3s-standin-host.ts';
import { shown, waitUntil, type CliRun } from './faults-cli.ts';

const V2 = 'v1.31.5+k3s1';
/** The sha256 the role's table pins for K3s v1.32.5+k3s1 amd64: a real one, of another release. */
const SHA256_OF_V1_32_5 = '9624ef0534b1be432b4ce8dd94dcd7241ed02451d970a4d38943baccf5c60dce';
const HOSTS = ['bastion', 'server1', 'server2', 'server3'];
let cluster: ClusterBed;

const site = (args: string[], inventory?: string): Promise<CliRun> => cluster.site(['--role', 'k3s-server', ...args], inventory ? { inventory } : {});
const sh = async (host: string, command: string) => (await cluster.bed.sh(host, command)).stdout.trim();

/** The recap line of a host: `server2 : ok=3 changed=1 unreachable=1 failed=0 ...`. */
function recap(run: CliRun, host: string): string {
  return new RegExp(`^${host} +: (.*)$`, 'm').exec(run.stdout.slice(run.stdout.indexOf('PLAY RECAP')))?.[1] ?? `(no recap line for ${host})`;
}

/** SSH logins each host's sshd accepted since `since` (seconds since the epoch), from its journal. */
async function loginsSince(since: number): Promise<Record<string, number>> {
  const count = async (host: string) => Number(await sh(host, `journalctl -q -u ssh --no-pager --since @${Math.floor(since)} | grep -c 'Accepted publickey' || true`));
  return Object.fromEntries(await Promise.all(HOSTS.map(async (host) => [host, await count(host)])));
}

/** What K3s leaves on a server: its binary, its config, its data, its unit. */
async function k3sFiles(host: string): Promise<string> {
  return sh(host, 'ls -d /usr/local/bin/k3s /etc/rancher /var/lib/rancher/k3s/server /etc/systemd/system/k3s.service 2>/dev/null || true');
}

/** Back to fresh servers: K3s stopped, its files and data gone, sshd running. */
async function wipe(): Promise<void> {
  await Promise.all(
    cluster.servers.map((host) =>
      cluster
        .root(host)
        .sh(
          [
            'systemctl start ssh',
            'systemctl disable --now k3s 2>/dev/null || true',
            'systemctl reset-failed k3s 2>/dev/null || true',
            'rm -rf /usr/local/bin/k3s /usr/local/bin/kubectl /usr/local/bin/crictl /usr/local/bin/ctr /usr/local/bin/nerdctl /etc/rancher /var/lib/rancher /etc/systemd/system/k3s.service',
            'systemctl daemon-reload',
          ].join('; '),
        ),
    ),
  );
}

/** The run completes the cluster: exit 0, every node Ready and K3s active everywhere, no join refused or failed since `since`. */
async function assertCompletes(run: CliRun, since: number): Promise<void> {
  assert.is(run.code, 0, shown(run));
  const nodes = await sh('server1', 'k3s kubectl get nodes');
  for (const host of cluster.servers) assert.match(nodes, new RegExp(`^${host}\\s+Ready`, 'm'), nodes);
  const log = await cluster.events(since);
  assert.not.ok(
    log.some((e) => e.event === 'join-refused' || e.event === 'join-failed'),
    `no join refused or failed: ${JSON.stringify(log)}`,
  );
  for (const host of cluster.servers) assert.is(await sh(host, 'systemctl is-active k3s'), 'active', host);
}

beforeAll(test, async () => {
  cluster = await startClusterBed({ k3s: ['v1.31.4+k3s1', V2] });
  // The converges here take k3s_sha256 by version, as group_vars/k3s_servers.yml suggests.
  const byVersion = Object.fromEntries([cluster.k3sVersion, V2].map((version) => [version, { amd64: cluster.mirror.sha256(k3sReleasePath(version)) }]));
  cluster.writeInventory({ vars: { k3s_sha256: byVersion } });
});

test.after(async () => {
  await cluster?.stop();
});

interface BadInput {
  name: string;
  inventory?: ClusterInventoryOptions;
  args?: string[];
  /** The first line of stderr. */
  error: RegExp;
  /** A value no output may show. */
  hidden?: string;
}

const badInputs = (): BadInput[] => [
  {
    name: 'no k3s_servers group',
    inventory: { name: 'no-servers.yml', groups: { k3s_servers: undefined } },
    error: /^ERROR: field "hosts": role k3s-server: hosts "k3s_servers": .*no host or group is named "k3s_servers" in \/\S+\/no-servers\.yml/,
  },
  {
    name: 'two servers only',
    inventory: { name: 'two-servers.yml', servers: ['server1', 'server2'] },
    error: /^ERROR: host server1, field "k3s_servers": an HA K3s cluster with embedded etcd needs at least 3 servers .* has 2: server1, server2$/,
  },
  {
    name: 'k3s_sha256 missing',
    inventory: { name: 'no-sha256.yml', vars: { k3s_sha256: undefined } },
    error: /^ERROR: host server1, field "k3s_sha256": no sha256 is known for K3s v1\.31\.4\+k3s1: set k3s_sha256/,
  },
  {
    name: 'k3s_sha256 of another release',
    inventory: { name: 'other-sha256.yml', vars: { k3s_sha256: SHA256_OF_V1_32_5 } },
    error: /^ERROR: host server1, field "k3s_sha256": k3s_sha256 is the sha256 of K3s v1\.32\.5\+k3s1 amd64, not of k3s_version v1\.31\.4\+k3s1/,
  },
  {
    name: 'k3s_version raised, k3s_sha256 (by version) not',
    inventory: { name: 'sha256-by-version.yml', vars: { k3s_sha256: { [cluster.k3sVersion]: cluster.mirror.sha256(k3sReleasePath(cluster.k3sVersion)) } } },
    args: ['-e', `k3s_version=${V2}`],
    error: /^ERROR: host server1, field "k3s_sha256": k3s_sha256 lists v1\.31\.4\+k3s1, not k3s_version v1\.31\.5\+k3s1/,
  },
  {
    name: 'a malformed token',
    inventory: { name: 'bad-token.yml', vars: { k3s_token: { secret: 'K10abc::server:short' } } },
    error: /^ERROR: host server1, field "k3s_token": k3s_token must be a K3s token: /,
    hidden: 'K10abc::server:short',
  },
  {
    name: 'a token that is not a secret',
    inventory: { name: 'plain-token.yml', vars: { k3s_token: 'a-long-enough-plain-password' } },
    error: /^ERROR: host server1, field "k3s_token": k3s_token must be a secret \(!secret in YAML\)$/,
    hidden: 'a-long-enough-plain-password',
  },
];

test('bad input: a clear error naming the host and the variable, exit 1, and no host touched', async () => {
  const since = Date.now() / 1000 - 1;
  for (const bad of badInputs()) {
    const inventory = cluster.writeInventory(bad.inventory);
    const run = await site(bad.args ?? [], inventory);
    assert.is(run.code, 1, `${bad.name}: ${shown(run)}`);
    const first = run.stderr.split('\n')[0] as string;
    assert.match(first, bad.error, `${bad.name}: ${shown(run)}`);
    assert.not.match(run.stderr, /^\s+at /m, `${bad.name}: no stack trace`);
    assert.is(run.stdout, '', `${bad.name}: no play started`);
    if (bad.hidden) assert.not.ok(run.stderr.includes(bad.hidden), `${bad.name}: the value shows`);
  }
  assert.equal(await loginsSince(since), { bastion: 0, server1: 0, server2: 0, server3: 0 }, 'no SSH login on any host');
  for (const host of cluster.servers) assert.is(await k3sFiles(host), '', `${host} has nothing of K3s`);
  // The control: a run that reaches the hosts (--check changes nothing) shows in the journals.
  const check = await site(['--check']);
  assert.is(check.code, 0, shown(check));
  const logins = await loginsSince(since);
  for (const host of HOSTS) assert.ok((logins[host] ?? 0) > 0, `the journal of ${host} shows the --check run's login: ${JSON.stringify(logins)}`);
});

test('server2 unreachable mid-run: server3 never asks to join, exit 4 naming it; once back, a re-run completes the cluster', async () => {
  await wipe();
  // server1's last task is its nerdctl download: hold it while server2's sshd goes away.
  const hold = cluster.mirror.hold(nerdctlReleasePath(cluster.nerdctlVersion));
  const running = cluster.startSite(['--role', 'k3s-server']);
  await hold.reached;
  await cluster.root('server2').sh('systemctl stop ssh; pkill -x sshd; true');
  hold.release();
  const run = await running.done;
  assert.is(run.code, 4, shown(run));
  assert.match(run.stdout, /^unreachable: \[server2\] /m, shown(run));
  assert.match(recap(run, 'server2'), /unreachable=1/, shown(run));
  assert.match(recap(run, 'server1'), /unreachable=0 failed=0/);
  const log = await cluster.events();
  assert.equal(
    log.filter((e) => e.node === 'server3'),
    [],
    'server3 never started K3s, nor asked to join',
  );
  assert.is(await k3sFiles('server3'), '', 'nothing of K3s on server3');

  await cluster.root('server2').sh('systemctl start ssh');
  const since = Date.now() / 1000;
  const again = await site([]);
  await assertCompletes(again, since);
  assert.equal(
    eventsOf(await cluster.events(since), 'join-accepted').map((e) => e.joiner),
    ['server2', 'server3'],
  );
});

/** The server's K3s is not running, nor about to be started again by systemd behind ploy's back. */
async function assertK3sStays(host: string, since: number): Promise<void> {
  const starts = async () => (await cluster.events(since)).filter((e) => e.event === 'started' && e.node === host).length;
  const before = await starts();
  await new Promise((resolve) => setTimeout(resolve, 7000)); // past the unit's RestartSec=5s
  assert.is(await starts(), before, `systemd did not start K3s again on ${host}`);
  assert.is.not(await sh(host, 'systemctl is-active k3s || true'), 'active', `K3s runs on ${host}`);
}

test('the first server down when server2 is about to join: a clear failure naming both, nothing started on server2; a re-run converges', async () => {
  await wipe();
  const since = Date.now() / 1000;
  // server1's last task, after its node was Ready: its nerdctl download. Hold it, stop K3s there.
  const hold = cluster.mirror.hold(nerdctlReleasePath(cluster.nerdctlVersion));
  const running = cluster.startSite(['--role', 'k3s-server']);
  await hold.reached;
  await cluster.root('server1').sh('systemctl stop k3s');
  hold.release();
  const run = await running.done;
  assert.is(run.code, 2, shown(run));
  const first = `server1 \\(${cluster.bed.host('server1').ip.replace(/\./g, '\\.')}:6443\\)`;
  assert.match(run.stdout, new RegExp(`^failed: \\[server2\\] .*the first server ${first} does not answer`, 'm'), shown(run));
  assert.match(recap(run, 'server3'), /^ok=0 +changed=0/);
  assert.is(await k3sFiles('server2'), '', 'nothing of K3s written on server2');
  assert.not.ok(
    (await cluster.events(since)).some((e) => e.node !== 'server1'),
    'only server1 ever started',
  );

  await cluster.root('server1').sh('systemctl start k3s');
  const again = Date.now() / 1000;
  await assertCompletes(await site([]), again);
  assert.equal(
    eventsOf(await cluster.events(again), 'join-accepted').map((e) => e.joiner),
    ['server2', 'server3'],
  );
});

test('the first server gone as server2 starts to join: K3s on server2 fails, is stopped and stays stopped; a re-run converges', async () => {
  await wipe();
  const since = Date.now() / 1000;
  // server2's k3s download comes after its check that the first server answers: hold it, stop K3s on server1.
  const hold = cluster.mirror.hold(k3sReleasePath(cluster.k3sVersion), 2);
  const running = cluster.startSite(['--role', 'k3s-server']);
  await hold.reached;
  await cluster.root('server1').sh('systemctl stop k3s');
  hold.release();
  const run = await running.done;
  assert.is(run.code, 2, shown(run));
  assert.match(run.stdout, /^failed: \[server2\] .*server1/m, shown(run));
  assert.match(recap(run, 'server3'), /^ok=0 +changed=0/);
  assert.ok(
    eventsOf(await cluster.events(since), 'join-failed').some((e) => e.node === 'server2'),
    'server2 tried to join',
  );
  await assertK3sStays('server2', since);

  await cluster.root('server1').sh('systemctl start k3s');
  const again = Date.now() / 1000;
  await assertCompletes(await site([]), again);
  assert.equal(
    eventsOf(await cluster.events(again), 'join-accepted').map((e) => e.joiner),
    ['server2', 'server3'],
  );
});

test('SIGINT while server2 joins: no task starts after it, server3 is not started, exit 130; a re-run waits for server2 Ready, then converges', async () => {
  await wipe();
  const since = Date.now() / 1000;
  // Long enough that the re-run reaches server3 while server2 is still not Ready.
  await setReadyDelay(cluster.root('server2'), 12);
  const running = cluster.startSite(['--role', 'k3s-server']);
  await waitUntil('K3s started on server2', async () => (await cluster.events(since)).some((e) => e.event === 'started' && e.node === 'server2'), 90_000, 100);
  running.child.kill('SIGINT');
  const run = await running.done;
  assert.is(run.code, 130, shown(run));
  assert.match(run.stderr, /SIGINT: letting running tasks finish/);
  assert.match(run.stdout, /^Interrupted: the play was stopped before it finished\.$/m);
  assert.not.match(run.stdout, /\[server3\]/, 'no task ran on server3');
  assert.equal(
    (await cluster.events(since)).filter((e) => e.node === 'server3'),
    [],
    'server3 never started',
  );

  assert.not.ok(
    (await cluster.events(since)).some((e) => e.event === 'ready' && e.node === 'server2'),
    'server2 was not Ready yet when the run ended',
  );

  const again = Date.now() / 1000;
  await assertCompletes(await site([]), again);
  const log = await cluster.events(since);
  assert.equal(
    eventsOf(log, 'join-accepted').map((e) => e.joiner),
    ['server2', 'server3'],
  );
  const ready2 = log.find((e) => e.event === 'ready' && e.node === 'server2');
  const asked3 = log.find((e) => e.event === 'join-requested' && e.node === 'server3');
  assert.ok(ready2 && asked3 && ready2.t < asked3.t, 'server3 asked to join only once server2 was Ready');
});

test.run();
