/**
 * The STAND-IN k3s on three private test-bed servers behind a bastion, set up by hand (root shells
 * through bed.sh, never through ploy) the way K3s's install.sh sets K3s up: the binary from the
 * release mirror (relayed through the bastion), sha256-checked, the kubectl/crictl/ctr links,
 * config.yaml, and install.sh's Type=notify unit. The tests prove each behaviour the k3s-server and
 * bastion roles will be tested against, in the order a cluster is built; a test leaves the cluster
 * as the next one expects it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { quote } from '../../lib/shell.ts';
import { beforeAll } from '../support/before-all.ts';
import { bedRootShell, installK3sByHand, lastK3sExit, startK3sUnit, writeK3sConfig } from '../support/k3s-by-hand.ts';
import { k3sEvents, setReadyDelay, type K3sEvent } from '../support/k3s-standin-host.ts';
import { startReleaseMirror, type ReleaseMirror } from '../support/release-mirror.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';

const V1 = 'v1.31.4+k3s1';
const V2 = 'v1.31.5+k3s1';
const KUBECTL = 'v1.31.4';
const TOKEN = 'standin-cluster-secret';
const SERVERS = ['k3s1', 'k3s2', 'k3s3'] as const;
type Server = (typeof SERVERS)[number];

let bed: Testbed;
let mirror: ReleaseMirror;

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'bastion' }, ...SERVERS.map((name) => ({ name, network: 'private' as const }))], bastion: 'bastion' });
  mirror = await startReleaseMirror({ bed, k3s: [V1, V2], kubectl: [KUBECTL], arches: ['amd64'] });
  await Promise.all(SERVERS.map((name) => installK3s(name, V1)));
});
test.after(async () => {
  await mirror?.close();
  await bed?.stop();
});

const root = (host: string) => bedRootShell(bed, host);
const attempt = (host: string, command: string) => bed.sh(host, command);
const ip = (host: Server) => bed.host(host).ip;
const events = (host: Server) => k3sEvents(root(host));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const installK3s = (host: Server, version: string) => installK3sByHand(root(host), mirror.privateUrl ?? '', version);
const writeConfig = (host: Server, yaml: string) => writeK3sConfig(root(host), yaml);
const start = (host: Server) => startK3sUnit(bed, host);
const lastExit = (host: Server) => lastK3sExit(root(host));

async function waitReady(on: Server, node: Server): Promise<void> {
  assert.is(await root(on).sh(`k3s kubectl wait --for=condition=Ready node/${node} --timeout=30s`), `node/${node} condition met\n`);
}

test('installed from the mirror through the bastion, sha256-checked; k3s and its links answer like K3s', async () => {
  const k3sDownloads = mirror.downloads().filter((path) => path.startsWith(`k3s-io/k3s/releases/download/${V1}/`));
  assert.equal(k3sDownloads.sort(), [...SERVERS.map(() => `k3s-io/k3s/releases/download/${V1}/k3s`), ...SERVERS.map(() => `k3s-io/k3s/releases/download/${V1}/sha256sum-amd64.txt`)].sort());
  const host = root('k3s1');
  assert.is(await host.sh('sha256sum /usr/local/bin/k3s | cut -d" " -f1'), `${mirror.sha256(`k3s-io/k3s/releases/download/${V1}/k3s`)}\n`);
  assert.match(await host.sh('k3s --version'), new RegExp(`^k3s version v1\\.31\\.4\\+k3s1 \\([0-9a-f]{8}\\)\ngo version go1\\.22\\.\\d+\nploy test stand-in, not K3s\n$`));
  assert.match(await host.sh('kubectl version --client'), /^Client Version: v1\.31\.4\+k3s1\nKustomize Version: v5\.4\.2\n/);
  assert.is(await host.sh('crictl --version'), 'crictl version v1.31.0-k3s2\n');
  assert.is(await host.sh('systemctl show k3s -p Type -p Restart -p TimeoutStartUSec'), 'Type=notify\nRestart=always\nTimeoutStartUSec=infinity\n');
});

test('a join before the first server answers is refused (k3s exits 1, the unit fails); nothing is written', async () => {
  await writeConfig('k3s2', `server: https://${ip('k3s1')}:6443\ntoken: ${TOKEN}\n`);
  assert.is.not(await start('k3s2'), 0);
  assert.is(
    await lastExit('k3s2'),
    `Error: preparing server: failed to bootstrap cluster data: failed to check if bootstrap data has been initialized: failed to validate token: failed to get CA certs: Get "https://${ip('k3s1')}:6443/cacerts": dial tcp ${ip('k3s1')}:6443: connect: connection refused`,
  );
  assert.is(await root('k3s2').sh('ls /var/lib/rancher/k3s; test ! -e /etc/rancher/k3s/k3s.yaml && echo no-kubeconfig'), 'standin-events.log\nno-kubeconfig\n');
  assert.equal(
    (await events('k3s2')).map((e) => e.event),
    ['started', 'join-requested', 'join-failed', 'exited'],
  );
});

test("an unknown config key is refused after K3s's warning; the first server does not start", async () => {
  await writeConfig('k3s1', `cluster-init: true\ntoken: ${TOKEN}\ncluster_init: true\n`);
  assert.is.not(await start('k3s1'), 0);
  assert.match(await lastExit('k3s1'), 'ploy stand-in: config key "cluster_init" in /etc/rancher/k3s/config.yaml is not a k3s server flag');
  assert.match(await root('k3s1').sh('journalctl -u k3s -o cat --no-pager'), 'Unknown flag --cluster_init found in config.yaml, skipping');
  assert.is(await root('k3s1').sh('test ! -e /var/lib/rancher/k3s/server && echo nothing-written'), 'nothing-written\n');
});

test('the first server initialises: READY=1 once it serves on 6443, the token files and kubeconfig where K3s writes them, then Ready', async () => {
  await writeConfig('k3s1', `cluster-init: true\ntoken: ${TOKEN}\ntls-san:\n  - k3s-api.internal\nnode-label:\n  - ploy.test/first=true\n`);
  await setReadyDelay(root('k3s1'), 1);
  assert.is(await start('k3s1'), 0);
  const host = root('k3s1');
  assert.is(await host.sh('systemctl show k3s -p ActiveState -p SubState'), 'ActiveState=active\nSubState=running\n');
  const started = (await events('k3s1')).slice(-3);
  assert.equal(
    started.map((e) => e.event),
    ['started', 'cluster-init', 'serving'],
  );
  const serving = started[2];
  assert.equal(serving?.event === 'serving' && [serving.port, serving.notified], [6443, true], 'READY=1 sent to systemd once it served');

  const token = await host.sh('cat /var/lib/rancher/k3s/server/token');
  const ca = await host.sh('cat /var/lib/rancher/k3s/server/tls/server-ca.crt');
  assert.is(token, `K10${sha256(ca)}::server:${TOKEN}\n`, 'K10<sha256 of the cluster CA>::server:<the configured token>');
  assert.is(
    await host.sh('cd /var/lib/rancher/k3s/server && stat -c "%a %n" token && readlink node-token agent-token && stat -c "%a" /etc/rancher/k3s/k3s.yaml'),
    '600 token\n/var/lib/rancher/k3s/server/token\n/var/lib/rancher/k3s/server/token\n600\n',
  );
  const kubeconfig = parseYaml(await host.sh('cat /etc/rancher/k3s/k3s.yaml'));
  assert.is(kubeconfig.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  const decoded = (text: string) => Buffer.from(text, 'base64').toString();
  assert.is(decoded(kubeconfig.clusters[0].cluster['certificate-authority-data']), ca);
  assert.match(decoded(kubeconfig.users[0].user['client-certificate-data']), /^-----BEGIN CERTIFICATE-----\n/);
  assert.match(decoded(kubeconfig.users[0].user['client-key-data']), /^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+-----END EC PRIVATE KEY-----\n$/);
  await waitReady('k3s1', 'k3s1');
  assert.is(JSON.parse(await host.sh('k3s kubectl get node k3s1 -o json')).metadata.labels['ploy.test/first'], 'true', 'node-label from config.yaml');
});

test("a wrong token is refused with K3s's 401 (and a token for another CA before that); server 1 records the refusal", async () => {
  await writeConfig('k3s2', `server: https://${ip('k3s1')}:6443\ntoken: not-the-${TOKEN}\n`);
  assert.is.not(await start('k3s2'), 0);
  assert.is(await lastExit('k3s2'), `Error: preparing server: failed to bootstrap cluster data: https://${ip('k3s1')}:6443/v1-k3s/server-bootstrap: 401 Unauthorized`);
  const refusal = (await events('k3s1')).filter((e) => e.event === 'join-refused').at(-1);
  assert.equal([refusal?.event === 'join-refused' && refusal.joiner, refusal?.event === 'join-refused' && refusal.reason], ['k3s2', 'invalid token (401 Unauthorized)']);

  const otherCa = 'K10' + '0'.repeat(64) + `::server:${TOKEN}`;
  await writeConfig('k3s2', `server: https://${ip('k3s1')}:6443\ntoken: ${otherCa}\n`);
  assert.is.not(await start('k3s2'), 0);
  assert.match(await lastExit('k3s2'), /failed to validate token: token CA hash does not match the Cluster CA certificate hash: 0{64} != [0-9a-f]{64}$/);
  assert.is(await root('k3s2').sh('ls /var/lib/rancher/k3s'), 'standin-events.log\n', 'still nothing written');
});

test('a second join while the first joiner is not Ready is refused (one etcd learner at a time); joins one at a time are accepted', async () => {
  const fullToken = (await root('k3s1').sh('cat /var/lib/rancher/k3s/server/node-token')).trim();
  await writeConfig('k3s2', `server: https://${ip('k3s1')}:6443\ntoken: ${fullToken}\nwrite-kubeconfig-mode: "0644"\n`);
  await writeConfig('k3s3', `server: https://${ip('k3s1')}:6443\ntoken: ${TOKEN}\n`);
  await setReadyDelay(root('k3s2'), 6);
  await setReadyDelay(root('k3s3'), 1);
  assert.is(await start('k3s2'), 0, 'joined with the secure token from server 1');
  assert.is.not(await start('k3s3'), 0, 'refused while k3s2 is a learner');
  assert.is(await lastExit('k3s3'), 'ETCD join failed: etcdserver: too many learner members in cluster');
  const refused = (await events('k3s1')).filter((e) => e.event === 'join-refused').at(-1);
  assert.match(refused?.event === 'join-refused' ? `${refused.joiner}: ${refused.reason}` : '', 'k3s3: member k3s2 is still a learner');

  await waitReady('k3s1', 'k3s2');
  assert.is(await start('k3s3'), 0, 'accepted once k3s2 is Ready');
  await waitReady('k3s3', 'k3s3');
  assert.is(await root('k3s2').sh('stat -c %a /etc/rancher/k3s/k3s.yaml'), '644\n', 'write-kubeconfig-mode');
  assert.is(await root('k3s3').sh('cat /var/lib/rancher/k3s/server/token'), await root('k3s1').sh('cat /var/lib/rancher/k3s/server/token'), 'one cluster, one token');
});

test('kubectl get nodes on every server lists the three; a missing node is NotFound', async () => {
  for (const host of SERVERS) {
    await waitReady(host, 'k3s3');
    const table = (await root(host).sh('k3s kubectl get nodes')).split('\n');
    assert.match(table[0] ?? '', /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    assert.equal(
      table.slice(1, 4).map((row) => row.split(/\s+/).filter((_, i) => i !== 3)),
      SERVERS.map((name) => [name, 'Ready', 'control-plane,etcd,master', V1]),
      host,
    );
  }
  const list = JSON.parse(await root('k3s2').sh('kubectl get nodes -o json'));
  assert.is(list.kind, 'List');
  assert.equal(
    list.items.map((n: { metadata: { name: string } }) => n.metadata.name),
    [...SERVERS],
  );
  for (const node of list.items) {
    const name = node.metadata.name as Server;
    assert.is(node.status.nodeInfo.kubeletVersion, V1);
    assert.equal(node.status.addresses[0], { type: 'InternalIP', address: ip(name) });
    assert.is(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True');
  }
  assert.is(await root('k3s1').sh(`k3s kubectl get node k3s2 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}'`), 'True');
  const missing = await attempt('k3s1', 'k3s kubectl get node nope');
  assert.equal([missing.code, missing.stderr], [1, 'Error from server (NotFound): nodes "nope" not found\n']);
});

test("from the bastion: the kubectl release and a kubeconfig for server 1's private address (or a tls-san name) reach the cluster", async () => {
  const bastion = root('bastion');
  const base = `${mirror.url}/release/${KUBECTL}/bin/linux/amd64/kubectl`;
  const download = `import hashlib, urllib.request\nwant = urllib.request.urlopen('${base}.sha256').read().decode().strip()\ndata = urllib.request.urlopen('${base}').read()\nassert hashlib.sha256(data).hexdigest() == want\nopen('/usr/local/bin/kubectl', 'wb').write(data)`;
  await bastion.sh(`python3 -c ${quote(download)} && chmod 0755 /usr/local/bin/kubectl`);
  assert.match(await bastion.sh('kubectl version --client'), /^Client Version: v1\.31\.4\nKustomize Version: v5\.4\.2\n/);
  const none = await attempt('bastion', 'kubectl get nodes');
  assert.equal([none.code, none.stderr.trim()], [1, 'The connection to the server localhost:8080 was refused - did you specify the right host or port?']);

  const k3sYaml = await root('k3s1').sh('cat /etc/rancher/k3s/k3s.yaml');
  const pointAt = (server: string) =>
    bastion.sh(`mkdir -p /root/.kube && printf '%s' ${quote(k3sYaml.replace('https://127.0.0.1:6443', server))} > /root/.kube/config && chmod 600 /root/.kube/config`);
  await pointAt(`https://${ip('k3s1')}:6443`);
  assert.equal(
    (await bastion.sh('kubectl get nodes --no-headers'))
      .trim()
      .split('\n')
      .map((row) => row.split(/\s+/).slice(0, 2)),
    SERVERS.map((n) => [n, 'Ready']),
  );
  assert.is(await bastion.sh('kubectl get nodes -o name'), SERVERS.map((n) => `node/${n}\n`).join(''));

  await bastion.sh(`printf '%s k3s-api.internal other.internal\\n' ${ip('k3s1')} >> /etc/hosts`);
  await pointAt('https://k3s-api.internal:6443');
  assert.match(await bastion.sh('kubectl get nodes'), /\nk3s3\s+Ready/, "k3s-api.internal is one of server 1's tls-san names");
  await pointAt('https://other.internal:6443');
  const wrongName = await attempt('bastion', 'kubectl get nodes');
  assert.equal(
    [wrongName.code, wrongName.stderr.trim()],
    [
      1,
      'Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for kubernetes, kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.cluster.local, localhost, k3s1, k3s-api.internal, not other.internal',
    ],
  );
});

test('a restart keeps the membership without a new join; an upgraded server reports its new version, one at a time', async () => {
  const joinsBefore = (await events('k3s1')).filter((e) => e.event === 'join-accepted').length;
  await installK3s('k3s2', V2);
  await setReadyDelay(root('k3s2'), 1);
  assert.match(await root('k3s2').sh('systemctl restart k3s && k3s --version'), /^k3s version v1\.31\.5\+k3s1 \(/);
  const restarted = (await events('k3s2')).slice(-2);
  assert.equal(
    restarted.map((e) => [e.event, e.event === 'started' ? `${e.role} ${e.version}` : '']),
    [
      ['started', `member ${V2}`],
      ['serving', ''],
    ],
  );
  await waitReady('k3s1', 'k3s2');
  assert.is((await events('k3s1')).filter((e) => e.event === 'join-accepted').length, joinsBefore, 'no new join');
  const versions = await root('k3s3').sh(`k3s kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.nodeInfo.kubeletVersion} {end}'`);
  assert.is(versions, `k3s1=${V1} k3s2=${V2} k3s3=${V1} `);
  assert.is(await root('k3s1').sh('systemctl restart k3s && echo restarted'), 'restarted\n');
  await waitReady('k3s3', 'k3s1');
  assert.is((await root('k3s3').sh('k3s kubectl get nodes -o name')).split('\n').length - 1, 3);
});

test('a changed token on an existing member is refused, as K3s refuses bootstrap data under another token', async () => {
  await writeConfig('k3s3', `server: https://${ip('k3s1')}:6443\ntoken: another-secret\n`);
  assert.is.not(await attempt('k3s3', 'timeout 30 systemctl restart k3s').then((r) => r.code), 0);
  await attempt('k3s3', 'systemctl stop k3s; systemctl reset-failed k3s');
  assert.is(
    await lastExit('k3s3'),
    'Error: preparing server: failed to bootstrap cluster data: failed to reconcile with local datastore: bootstrap data already found and encrypted with different token',
  );
  await writeConfig('k3s3', `server: https://${ip('k3s1')}:6443\ntoken: ${TOKEN}\n`);
  assert.is(await start('k3s3'), 0);
  await waitReady('k3s1', 'k3s3');
});

test("the event logs prove the order: server 1 initialised first, joins strictly one at a time, each server's versions", async () => {
  const all = (await Promise.all(SERVERS.map(events))).flat().sort((a, b) => a.t - b.t);
  const at = (predicate: (e: K3sEvent) => boolean) => all.find(predicate)?.t ?? Number.NaN;
  const init = at((e) => e.event === 'cluster-init');
  const accepted = all.filter((e): e is Extract<K3sEvent, { event: 'join-accepted' }> => e.event === 'join-accepted');
  assert.equal(
    accepted.map((e) => [e.node, e.joiner, e.rejoin]),
    [
      ['k3s1', 'k3s2', false],
      ['k3s1', 'k3s3', false],
    ],
    'two joins, both through server 1',
  );
  assert.ok(init < (accepted[0]?.t ?? 0), 'the first server initialised before any join');
  for (const [i, join] of accepted.entries()) {
    const joinerReady = at((e) => e.event === 'ready' && e.node === join.joiner);
    assert.ok(join.t < joinerReady, `${join.joiner} joined, then became Ready`);
    const next = accepted[i + 1];
    if (next) assert.ok(joinerReady < next.t, `${join.joiner} was Ready before ${next.joiner} joined`);
  }
  const learnerRefusal = all.find((e) => e.event === 'join-refused' && e.joiner === 'k3s3');
  assert.ok(learnerRefusal && (accepted[0]?.t ?? 0) < learnerRefusal.t && learnerRefusal.t < at((e) => e.event === 'ready' && e.node === 'k3s2'));
  const versions = (node: Server) => all.filter((e) => e.node === node && e.event === 'started').map((e) => e.event === 'started' && e.version);
  assert.equal([...new Set(versions('k3s2'))], [V1, V2]);
  assert.equal([...new Set(versions('k3s1'))], [V1]);
  assert.ok(
    all.some((e) => e.event === 'member-ready' && e.node === 'k3s1' && e.member === 'k3s3'),
    'server 1 learned that k3s3 is Ready',
  );
});

test.run();
