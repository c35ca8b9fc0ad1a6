/**
 * The k3s-server role through the real CLI (playbooks/site.ts and role.ts) on a bastion and three
 * servers only it reaches, against the STAND-IN k3s (test/fixtures/standins/k3s) and nerdctl served
 * by a local release mirror through ploy_download_mirror: check on fresh hosts, converge (the first
 * server initialised before any join, joins one at a time: the stand-in's event logs), a re-run that
 * changes and restarts nothing (its round trips counted), the token in no output, an upgrade one
 * server at a time, a downgrade refused, and one role on one host.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { changedPerHost, eventsOf, roundTripsPerHost, startClusterBed, type ClusterBed } from '../support/cluster-bed.ts';
import { shown, type CliRun } from './faults-cli.ts';

const V1 = 'v1.31.4+k3s1';
const V2 = 'v1.31.5+k3s1';
let cluster: ClusterBed;

const site = (args: string[]): Promise<CliRun> => cluster.site(['--role', 'k3s-server', ...args]);

beforeAll(test, async () => {
  cluster = await startClusterBed({ k3s: [V1, V2] });
});

test.after(async () => {
  await cluster?.stop();
});

test('--check on fresh servers lists the changes and changes nothing', async () => {
  const run = await site(['--check']);
  assert.is(run.code, 0, shown(run));
  for (const host of cluster.servers) {
    assert.match(run.stdout, new RegExp(`changed: \\[${host}\\] K3s ${V1.replace('+', '\\+')}`));
    assert.match(run.stdout, new RegExp(`changed: \\[${host}\\] K3s config`));
    assert.match(run.stdout, new RegExp(`skipped: \\[${host}\\] k3s running => cannot predict`));
  }
  assert.match(run.stdout, /skipped: \[server1\] the join token it generated => cannot predict/);
  for (const host of cluster.servers) assert.is((await cluster.bed.sh(host, 'ls /usr/local/bin/k3s /etc/rancher/k3s 2>&1 | grep -c "No such"')).stdout.trim(), '2', `${host} was changed by --check`);
  assert.equal(cluster.mirror.downloads(), []);
});

test('converge: the first server initialises, the others join one at a time, each Ready before the next', async () => {
  const run = await site(['-v']);
  assert.is(run.code, 0, shown(run));
  const log = await cluster.events();
  const init = log.find((e) => e.event === 'cluster-init');
  assert.is(init?.node, 'server1');
  const joins = eventsOf(log, 'join-accepted');
  assert.equal(
    joins.map((e) => e.joiner),
    ['server2', 'server3'],
  );
  assert.ok((init?.t ?? Infinity) < (joins[0]?.t ?? 0), 'initialised before any join');
  const ready2 = log.find((e) => e.event === 'ready' && e.node === 'server2');
  const asked3 = log.find((e) => e.event === 'join-requested' && e.node === 'server3');
  assert.ok(ready2 && asked3 && ready2.t < asked3.t, 'server2 was Ready before server3 asked to join');
  assert.not.ok(
    log.some((e) => e.event === 'join-refused'),
    'no join was refused',
  );
  const nodes = (await cluster.bed.sh('server1', 'k3s kubectl get nodes')).stdout;
  for (const host of cluster.servers) assert.match(nodes, new RegExp(`^${host}\\s+Ready`, 'm'));
  const config = (await cluster.bed.sh('server2', 'stat -c %a /etc/rancher/k3s/config.yaml; cat /etc/rancher/k3s/config.yaml')).stdout;
  assert.match(config, /^600\n/);
  assert.match(config, new RegExp(`server: https://${cluster.bed.host('server1').ip}:6443`));
  assert.match(config, /token: K10[0-9a-f]{64}::server:/);
  assert.match(config, /- k3s-ha-nlb.example.test/);
  assert.match((await cluster.bed.sh('server3', 'nerdctl --version; readlink /usr/local/bin/kubectl')).stdout, /nerdctl version 1\.7\.7\n\/usr\/local\/bin\/k3s/);
});

test('a re-run changes nothing, restarts nothing, downloads nothing, and the token shows in no output', async () => {
  const token = (await cluster.bed.sh('server1', 'cat /var/lib/rancher/k3s/server/token')).stdout.trim();
  const startsBefore = (await cluster.events()).filter((e) => e.event === 'started').length;
  const downloadsBefore = cluster.mirror.downloads().length;
  const run = await site(['-vv', '--diff']);
  assert.is(run.code, 0, shown(run));
  assert.equal(changedPerHost(run.stdout), { server1: 0, server2: 0, server3: 0 });
  assert.is((await cluster.events()).filter((e) => e.event === 'started').length, startsBefore, 'no server restarted');
  assert.is(cluster.mirror.downloads().length, downloadsBefore);
  // Every task's probe, nerdctl's version probe included, goes in one batch per host; server2's and
  // server3's are prefetched while server1 runs. Besides it (docs/roles.md lists them): on the first
  // server, its join token (a secret read, never batched).
  assert.equal(roundTripsPerHost(run.stdout), { server1: 2, server2: 1, server3: 1 }, run.stdout);
  assert.match(run.stdout, /\[server3\][^\n]*# \d+ probes in one round trip, prefetched during the previous serial batch(?! \()/);
  for (const args of [[], ['--json'], ['--check', '--diff', '-vvv']]) {
    const other = await site(args);
    assert.is(other.code, 0, shown(other));
    assert.not.ok((run.stdout + run.stderr + other.stdout + other.stderr).includes(token.split('::server:')[1] as string), `the token showed (${args.join(' ')})`);
  }
});

test('a version bump upgrades one server at a time, each Ready before the next; a downgrade is refused', async () => {
  const since = Date.now() / 1000;
  const run = await site(cluster.versionVars(V2));
  assert.is(run.code, 0, shown(run));
  const log = await cluster.events(since);
  const order = log.filter((e) => e.event === 'started' || e.event === 'ready').map((e) => `${e.event} ${e.node}${e.event === 'started' ? ` ${e.version}` : ''}`);
  assert.equal(order, [`started server1 ${V2}`, 'ready server1', `started server2 ${V2}`, 'ready server2', `started server3 ${V2}`, 'ready server3']);
  const down = await site(cluster.versionVars(V1));
  assert.is(down.code, 2, shown(down));
  assert.match(down.stdout, new RegExp(`K3s ${V2.replace('+', '\\+')} runs here and k3s_version is ${V1.replace('+', '\\+')}: ploy does not downgrade K3s`));
  assert.is((await cluster.bed.sh('server1', 'k3s --version | head -1')).stdout.trim().split(' ')[2], V2);
});

test('role.ts runs one role on the hosts it is limited to; the token then comes from the first server', async () => {
  const help = await cluster.role('--help', []);
  assert.is(help.code, 0, shown(help));
  assert.match(help.stdout, /k3s-server \(hosts: k3s_servers\)/);
  await cluster.bed.sh('server2', 'rm /etc/rancher/k3s/config.yaml');
  const run = await cluster.role('k3s-server', ['-l', 'server2', ...cluster.versionVars(V2)]);
  assert.is(run.code, 0, shown(run));
  assert.match(run.stdout, /ok: \[server2 -> server1\] the join token of server1/);
  assert.equal(Object.keys(changedPerHost(run.stdout)), ['server2']);
  assert.match(run.stdout, /changed: \[server2\] K3s config/);
  const unknown = await cluster.role('k3s-servers', []);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, /no role "k3s-servers"; the roles are: k3s-server/);
});

test.run();
