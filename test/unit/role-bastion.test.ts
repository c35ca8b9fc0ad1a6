/**
 * The bastion role's pure parts: pinned versions and their sha256 (table, override, unknown
 * version or architecture), the upstream URLs, the kubeconfig rewrite, authorized keys and the
 * servers' addresses; and its bad input, refused by the preflight before any connection is opened.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { preflight } from '../../lib/runner/preflight.ts';
import { TaskPredictions } from '../../lib/runner/predicted-task.ts';
import { InputError } from '../../lib/errors.ts';
import { authorizedKeysFile } from '../../roles/bastion/authorized-keys.ts';
import { hasSha256, helmMember, helmUrl, kubectlUrl, pinnedSha256 } from '../../roles/bastion/downloads.ts';
import { KubeconfigShapeError, operatorKubeconfig } from '../../roles/bastion/kubeconfig.ts';
import { bastion } from '../../roles/bastion/role.ts';
import { apiServerUrl, hostsBlock, k3sServers } from '../../roles/bastion/servers.ts';
import { bastionSettings } from '../../roles/bastion/settings.ts';
import { bastionDefaults, HELM_SHA256, KUBECTL_SHA256 } from '../../roles/bastion/vars.ts';
import { inputError } from '../support/input-error.ts';
import { CountingPool, localInventory, localSpec, RecordingReporter, rejection, runOptions } from './runner-support.ts';

const SHA = 'a'.repeat(64);
const ED25519 = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
/** An OpenSSH ed25519 public key line (its blob: the type, then the 32 key bytes, each length-prefixed). */
function keyLine(comment: string, bytes: Buffer = ED25519): string {
  const type = Buffer.from('ssh-ed25519');
  const blob = Buffer.concat([u32(type.length), type, u32(bytes.length), bytes]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
const KEY = keyLine('op@laptop');

test('the pinned defaults have both architectures in the tables, as 64 lowercase hex digits', () => {
  for (const [table, version] of [
    [KUBECTL_SHA256, bastionDefaults.kubectl_version],
    [HELM_SHA256, bastionDefaults.helm_version],
  ] as const) {
    const entry = table[version];
    assert.ok(entry, version);
    for (const sha of Object.values(entry ?? {})) assert.match(sha, /^[0-9a-f]{64}$/);
  }
  assert.is(pinnedSha256('kubectl', 'v1.31.4', 'amd64', undefined), '298e19e9c6c17199011404278f0ff8168a7eca4217edad9097af577023a5620f');
  assert.is(pinnedSha256('helm', 'v3.16.3', 'arm64', undefined), '5bd34ed774df6914b323ff84a0a156ea6ff2ba1eaf0113962fa773f3f9def798');
});

test('sha256 lookup: the override wins for any version and architecture; otherwise the table, or nothing', () => {
  assert.is(pinnedSha256('kubectl', 'v1.31.4', 'amd64', SHA.toUpperCase()), SHA);
  assert.is(pinnedSha256('kubectl', 'v1.99.0', 'riscv64', SHA), SHA);
  assert.is(pinnedSha256('kubectl', 'v1.99.0', 'amd64', undefined), undefined, 'a version the table lacks');
  assert.is(pinnedSha256('helm', 'v3.16.3', 'riscv64', undefined), undefined, 'an architecture the table lacks');
  assert.is(pinnedSha256('helm', 'constructor', 'amd64', undefined), undefined, "only the table's own keys");
  assert.ok(hasSha256('kubectl', 'v1.31.4', undefined));
  assert.ok(hasSha256('kubectl', 'v1.99.0', SHA));
  assert.not.ok(hasSha256('helm', 'v3.99.0', undefined));
});

test('the upstream URLs the mirror variable rewrites, and the helm member of the tarball', () => {
  assert.is(kubectlUrl('v1.31.4', 'arm64'), 'https://dl.k8s.io/release/v1.31.4/bin/linux/arm64/kubectl');
  assert.is(helmUrl('v3.16.3', 'amd64'), 'https://get.helm.sh/helm-v3.16.3-linux-amd64.tar.gz');
  assert.is(helmMember('amd64'), 'linux-amd64/helm');
});

const K3S_YAML = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tQ0EtLS0=
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: LS0tQ0VSVC0tLQ==
    client-key-data: LS0tS0VZLS0t
`;

test('the kubeconfig rewrite: only the server line changes, byte for byte otherwise', () => {
  const out = operatorKubeconfig(K3S_YAML, 'https://10.0.1.10:6443');
  assert.is(out, K3S_YAML.replace('https://127.0.0.1:6443', 'https://10.0.1.10:6443'));
  assert.is(operatorKubeconfig(out.replace('https://10.0.1.10:6443', 'https://127.0.0.1:6443'), 'https://api.example:6443'), K3S_YAML.replace('https://127.0.0.1:6443', 'https://api.example:6443'));
  const quoted = K3S_YAML.replace('server: https://127.0.0.1:6443', 'server: "https://127.0.0.1:6443"');
  assert.match(operatorKubeconfig(quoted, 'https://10.0.1.10:6443'), /\n {4}server: https:\/\/10\.0\.1\.10:6443\n/);
  assert.is(apiServerUrl('10.0.1.10'), 'https://10.0.1.10:6443');
  assert.is(apiServerUrl('fd00::10'), 'https://[fd00::10]:6443');
  assert.is(apiServerUrl('k3s.example.com'), 'https://k3s.example.com:6443');
});

test('a k3s.yaml that does not point at 127.0.0.1:6443 is refused, naming what it has', () => {
  for (const [text, fragment] of [
    [K3S_YAML.replace('127.0.0.1:6443', '127.0.0.1:7443'), 'it has: server: https://127.0.0.1:7443'],
    [K3S_YAML.replace(/ {4}server: .*\n/, ''), 'no server line at all'],
    [K3S_YAML.replace('https://127.0.0.1:6443', 'https://127.0.0.1:6443/extra'), 'it has: server: https://127.0.0.1:6443/extra'],
  ] as const) {
    try {
      operatorKubeconfig(text, 'https://10.0.1.10:6443');
      assert.unreachable('should refuse');
    } catch (error) {
      assert.instance(error, KubeconfigShapeError);
      assert.ok((error as Error).message.includes(fragment), (error as Error).message);
      assert.not.ok((error as Error).message.includes('LS0tS0VZLS0t'), 'never the key');
    }
  }
});

test('authorized keys: one line each, in order; options and comments kept; bad entries named by index', () => {
  const second = keyLine('ci', Buffer.alloc(32, 7));
  assert.is(authorizedKeysFile([KEY, `from="10.0.0.0/8" ${second}`], 'bastion'), `${KEY}\nfrom="10.0.0.0/8" ${second}\n`);
  assert.is(authorizedKeysFile([`  ${KEY}  `], 'bastion'), `${KEY}\n`);
  inputError(() => authorizedKeysFile(undefined, 'bastion'), 'host bastion', 'operator_authorized_keys', 'non-empty list');
  inputError(() => authorizedKeysFile([], 'bastion'), 'non-empty list');
  inputError(() => authorizedKeysFile(KEY, 'bastion'), 'non-empty list', 'a YAML list, even for one key');
});

test('authorized keys refused: not a key, a truncated blob, a type that does not match its blob, two lines, a duplicate', () => {
  const [, blob = ''] = KEY.split(' ');
  inputError(() => authorizedKeysFile([KEY, 'hunter2'], 'bastion'), '"operator_authorized_keys"[1] is not an OpenSSH public key line');
  inputError(() => authorizedKeysFile([`ssh-ed25519 ${blob.slice(0, 12)}`], 'bastion'), '[0] is not an OpenSSH public key');
  inputError(() => authorizedKeysFile([`ssh-rsa ${blob} x`], 'bastion'), '[0] is not an OpenSSH public key');
  inputError(() => authorizedKeysFile([`${KEY}\n${KEY}`], 'bastion'), '[0] must be one public key line');
  inputError(() => authorizedKeysFile([KEY, 42], 'bastion'), '[1] must be one public key line, got number');
  inputError(() => authorizedKeysFile([KEY, KEY.replace('op@laptop', 'other')], 'bastion'), '[1] is the same key as [0]');
});

const GOOD = { ...bastionDefaults, operator_authorized_keys: [KEY] };

test("settings: the defaults, and each variable's bad value named", () => {
  const settings = bastionSettings(GOOD, 'bastion');
  assert.equal(settings.kubectl, { tool: 'kubectl', version: 'v1.31.4', sha256: undefined });
  assert.equal([settings.operator, settings.home, settings.apiEndpoint], ['operator', '/home/operator', undefined]);
  assert.is(bastionSettings({ ...GOOD, k3s_api_endpoint: 'k3s.example.com', helm_sha256: SHA.toUpperCase() }, 'bastion').helm.sha256, SHA);
  assert.is(bastionSettings({ ...GOOD, k3s_api_endpoint: 'k3s.example.com' }, 'bastion').apiEndpoint, 'k3s.example.com');
  inputError(() => bastionSettings({ ...GOOD, operator_user: 'root' }, 'bastion'), 'host bastion', '"operator_user" must be an unprivileged account name');
  inputError(() => bastionSettings({ ...GOOD, operator_user: 'Op Erator' }, 'bastion'), 'operator_user');
  inputError(() => bastionSettings({ ...GOOD, kubectl_version: '1.31.4' }, 'bastion'), '"kubectl_version" must be a release version like v1.2.3');
  inputError(
    () => bastionSettings({ ...GOOD, kubectl_version: 'v1.30.0' }, 'bastion'),
    'field "kubectl_sha256"',
    'kubectl v1.30.0 has no known sha256',
    'knows kubectl v1.31.4',
    'set "kubectl_sha256"',
  );
  inputError(() => bastionSettings({ ...GOOD, helm_version: 'v3.15.0' }, 'bastion'), 'helm v3.15.0 has no known sha256', 'set "helm_sha256"');
  inputError(() => bastionSettings({ ...GOOD, helm_sha256: 'abc' }, 'bastion'), '"helm_sha256" must be a sha256 (64 hex digits)');
  inputError(() => bastionSettings({ ...GOOD, k3s_api_endpoint: 'https://lb:6443' }, 'bastion'), '"k3s_api_endpoint" must be a host name or an IP address');
  assert.is(bastionSettings({ ...GOOD, kubectl_version: 'v1.30.0', kubectl_sha256: SHA }, 'bastion').kubectl.sha256, SHA);
});

test('servers: private_ip, else ansible_host, which must be an IP; the group must not be empty', () => {
  const vars: Record<string, Record<string, unknown>> = { s1: { private_ip: '10.0.1.10', ansible_host: '203.0.113.9' }, s2: { ansible_host: '10.0.2.10' } };
  const servers = k3sServers(['s1', 's2'], (name) => vars[name] ?? {}, 'bastion');
  assert.equal(servers, [
    { name: 's1', address: '10.0.1.10' },
    { name: 's2', address: '10.0.2.10' },
  ]);
  assert.is(hostsBlock(servers), '10.0.1.10 s1\n10.0.2.10 s2');
  inputError(() => k3sServers([], () => ({}), 'bastion'), 'host bastion', 'group "k3s_servers", which has none');
  inputError(() => k3sServers(['s3'], () => ({}), 'bastion'), 'k3s server s3', 'set its "private_ip"');
  inputError(() => k3sServers(['s3'], () => ({ ansible_host: 's3.internal' }), 'bastion'), 'field "ansible_host"', 'is not an IP address: "s3.internal"');
});

/** The bastion role's preflight on local hosts: the pool is never asked for a connection when the input is bad. */
async function preflightOf(bastionVars: Record<string, unknown>, servers: Record<string, Record<string, unknown>> = { s1: { private_ip: '10.0.1.10' } }) {
  const inventory = localInventory({ bastion: bastionVars, ...servers }, { bastion: ['bastion'], ...(Object.keys(servers).length ? { k3s_servers: Object.keys(servers) } : {}) });
  const pool = new CountingPool();
  const error = await rejection(runPlay(definePlay({ name: 'bastion', roles: [bastion as unknown as Role] }), runOptions(inventory, pool), new RecordingReporter()));
  assert.equal([...pool.gets.keys()], [], 'no host was contacted');
  assert.instance(error, InputError);
  return error.message;
}

test('bad input stops the run before any host is contacted, naming host and variable', async () => {
  assert.match(await preflightOf({}), 'host bastion, field "operator_authorized_keys": role bastion requires variable "operator_authorized_keys"');
  assert.match(await preflightOf({ operator_authorized_keys: ['nope'] }), '"operator_authorized_keys"[0] is not an OpenSSH public key line');
  assert.match(await preflightOf({ operator_authorized_keys: [KEY], kubectl_version: 'v1.29.0' }), 'kubectl v1.29.0 has no known sha256');
  assert.match(await preflightOf({ operator_authorized_keys: [KEY] }, { s1: {} }), "k3s server s1's private address");
  assert.match(await preflightOf({ operator_authorized_keys: [KEY] }, {}), 'the bastion role needs the "k3s_servers" group');
});

test("the preflight, with the tables' sha256s, predicts every task a no-change run batches: facts and the downloads' probes included", async () => {
  const inventory = localInventory({ bastion: { operator_authorized_keys: [KEY] }, s1: { private_ip: '10.0.1.10' } }, { bastion: ['bastion'], k3s_servers: ['s1'] });
  const predictions = new TaskPredictions();
  const role = bastion as unknown as Role;
  await preflight([{ role, hosts: ['bastion'] }], runOptions(inventory, new CountingPool()), localSpec, predictions);
  assert.equal(
    predictions.of(role, 'bastion').map((task) => task.name),
    [
      'operator account',
      'operator ~/.ssh',
      'operator authorized keys',
      'operator ~/.kube',
      'sshd: keys only, no passwords',
      '/etc/hosts names the K3s servers',
      'gather facts',
      'kubectl v1.31.4',
      'helm v3.16.3',
    ],
  );
});

test.run();
