/**
 * The STAND-IN k3s as built for a version (test/support/k3s-standin.ts), run here with the
 * controller's python3: what it says it is, its multi-call names, and the config it refuses before
 * writing anything. Its server side runs on the test bed (test/integration/k3s-standin.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { buildK3sStandin, buildKubectlStandin, sha256, type ReleaseBinary } from '../support/k3s-standin.ts';

let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-k3s-standin-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const HOST_ARCH = arch() === 'arm64' ? 'arm64' : 'amd64';
const OTHER_ARCH = HOST_ARCH === 'amd64' ? 'arm64' : 'amd64';

function install(binary: ReleaseBinary, name = 'k3s'): string {
  const path = join(dir, name);
  writeFileSync(path, binary.bytes);
  chmodSync(path, 0o755);
  return path;
}

/** Run with a time limit: a server that started by mistake must not hang the suite. The workload kubectl's state in the test's directory. */
function run(path: string, args: string[], input = '') {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', PLOY_STANDIN_DIR: join(dir, 'standin-state') };
  const result = spawnSync(path, args, { encoding: 'utf8', timeout: 10_000, env, input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('each version and architecture is its own build, named a stand-in in its first lines', () => {
  const v1 = buildK3sStandin('v1.31.4+k3s1', 'amd64');
  const v2 = buildK3sStandin('v1.31.5+k3s1', 'amd64');
  const arm = buildK3sStandin('v1.31.4+k3s1', 'arm64');
  assert.is(v1.sha256, sha256(v1.bytes));
  assert.ok(new Set([v1.sha256, v2.sha256, arm.sha256]).size === 3, 'three builds, three sha256s');
  assert.ok(v1.bytes.toString('latin1').startsWith('#!/usr/bin/env python3\n# STAND-IN k3s v1.31.4+k3s1 linux/amd64: a ploy test fixture, NOT K3s.\n'));
  assert.ok(buildKubectlStandin('v1.31.4').bytes.toString('latin1').startsWith('#!/usr/bin/env python3\n# STAND-IN kubectl v1.31.4 linux/amd64'));
  assert.throws(() => buildK3sStandin('1.31.4+k3s1'), /version "1.31.4\+k3s1" is not a K3s version like v1.31.4\+k3s1/);
  assert.throws(() => buildKubectlStandin('v1.31.4+k3s1'), /not a Kubernetes version like v1.31.4/);
});

test('k3s --version answers as K3s does, with a third line saying it is the stand-in', () => {
  for (const version of ['v1.31.4+k3s1', 'v1.30.8+k3s1']) {
    const result = run(install(buildK3sStandin(version, HOST_ARCH)), ['--version']);
    assert.is(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^k3s version ${version.replace(/[.+]/g, '\\$&')} \\([0-9a-f]{8}\\)$`));
    assert.match(lines[1] ?? '', /^go version go1\.\d+\.\d+$/);
    assert.equal(lines.slice(2), ['ploy test stand-in, not K3s', '']);
  }
  assert.match(run(join(dir, 'k3s'), ['--help']).stdout, /k3s - Kubernetes, but small and simple[\s\S]*ploy test stand-in, not K3s/);
});

test('multi-call like K3s: kubectl, crictl and ctr links, and k3s kubectl; what it cannot do it refuses, saying so', () => {
  const k3s = install(buildK3sStandin('v1.31.4+k3s1', HOST_ARCH));
  for (const name of ['kubectl', 'crictl', 'ctr']) symlinkSync(k3s, join(dir, name));
  assert.equal(run(join(dir, 'kubectl'), ['version', '--client']).stdout.split('\n').slice(0, 2), ['Client Version: v1.31.4+k3s1', 'Kustomize Version: v5.4.2']);
  assert.is(JSON.parse(run(k3s, ['kubectl', 'version', '--client', '-o', 'json']).stdout).clientVersion.gitVersion, 'v1.31.4+k3s1');
  assert.is(run(join(dir, 'crictl'), ['--version']).stdout, 'crictl version v1.31.0-k3s2\n');
  assert.match(run(join(dir, 'ctr'), ['--version']).stdout, /^ctr github.com\/k3s-io\/containerd v1\.7\.\d+-k3s\d\n$/);
  const ps = run(join(dir, 'crictl'), ['ps']);
  assert.equal([ps.code, ps.stderr.includes('ploy test stand-in runs no containers')], [1, true]);
  const kubectlApply = run(join(dir, 'kubectl'), ['apply', '--server-side', '-f', '-']);
  assert.equal([kubectlApply.code, kubectlApply.stderr.includes('dial tcp 127.0.0.1:8080: connect: connection refused')], [1, true], kubectlApply.stderr);
  assert.equal([run(k3s, ['agent']).code, run(k3s, ['nonsense']).code], [1, 3]);
});

test('what is not about nodes goes to the workload stand-in kubectl: objects kept on this host while the kubeconfig server accepts connections', async () => {
  const kubectl = install(buildKubectlStandin('v1.31.4', HOST_ARCH), 'kubectl');
  const listener = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringifyYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'd', cluster: { server: `https://127.0.0.1:${port}` } }],
      contexts: [{ name: 'd', context: { cluster: 'd', user: 'd' } }],
      'current-context': 'd',
      users: [{ name: 'd', user: {} }],
    }),
  );
  try {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n';
    const applied = run(kubectl, [`--kubeconfig=${kubeconfig}`, 'apply', '--server-side', '-f', '-'], namespace);
    assert.equal([applied.code, applied.stdout], [0, 'namespace/demo serverside-applied\n'], applied.stderr);
    const read = run(kubectl, [`--kubeconfig=${kubeconfig}`, 'get', 'namespace/demo', '-o', 'jsonpath={.metadata.name}']);
    assert.equal([read.code, read.stdout], [0, 'demo'], read.stderr);
  } finally {
    await new Promise((resolve) => listener.close(resolve));
  }
  const away = run(kubectl, [`--kubeconfig=${kubeconfig}`, 'get', 'namespace/demo', '-o', 'json']);
  assert.equal([away.code, away.stderr.includes(`dial tcp 127.0.0.1:${port}: connect: connection refused`)], [1, true], away.stderr);
});

test('the kubectl release build is kubectl whatever its name; the other architecture cannot execute here', () => {
  const kubectl = install(buildKubectlStandin('v1.31.4', HOST_ARCH), 'kubectl');
  assert.equal(run(kubectl, ['version', '--client']).stdout.split('\n'), ['Client Version: v1.31.4', 'Kustomize Version: v5.4.2', 'ploy test stand-in, not kubectl', '']);
  const noConfig = run(kubectl, ['get', 'nodes']);
  assert.equal([noConfig.code, noConfig.stderr], [1, 'The connection to the server localhost:8080 was refused - did you specify the right host or port?\n']);
  const foreign = run(install(buildK3sStandin('v1.31.4+k3s1', OTHER_ARCH), 'k3s-foreign'), ['--version']);
  assert.equal([foreign.code, /cannot execute binary file: Exec format error/.test(foreign.stderr)], [126, true]);
});

test('kubectl reads a kubeconfig as a role would rewrite it (yaml.stringify, or JSON) and dials the server it names', () => {
  const kubectl = install(buildKubectlStandin('v1.31.4', HOST_ARCH), 'kubectl');
  const config = {
    apiVersion: 'v1',
    clusters: [
      { cluster: { 'certificate-authority-data': Buffer.from('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n').toString('base64'), server: 'https://127.0.0.1:9' }, name: 'default' },
    ],
    contexts: [{ context: { cluster: 'default', user: 'default' }, name: 'default' }],
    'current-context': 'default',
    kind: 'Config',
    preferences: {},
    users: [{ name: 'default', user: { 'client-certificate-data': 'Y2VydA==', 'client-key-data': 'a2V5' } }],
  };
  for (const [name, text] of [
    ['yaml', stringifyYaml(config)],
    ['json', JSON.stringify(config)],
  ]) {
    writeFileSync(join(dir, `config.${name}`), text ?? '');
    const result = run(kubectl, ['get', 'nodes', '--kubeconfig', join(dir, `config.${name}`)]);
    assert.equal([result.code, result.stderr], [1, 'The connection to the server 127.0.0.1:9 was refused - did you specify the right host or port?\n'], name);
  }
  const missing = run(kubectl, ['get', 'nodes', '--kubeconfig', join(dir, 'absent')]);
  assert.equal([missing.code, missing.stderr], [1, `error: stat ${join(dir, 'absent')}: no such file or directory\n`]);
});

/** `k3s server` with everything under dir, on a port no test bed uses; it must fail before serving. */
function serverWith(config: string, ...extra: string[]) {
  writeFileSync(join(dir, 'config.yaml'), config);
  const k3s = install(buildK3sStandin('v1.31.4+k3s1', HOST_ARCH));
  const args = [
    'server',
    '--config',
    join(dir, 'config.yaml'),
    '--data-dir',
    join(dir, 'data'),
    '--write-kubeconfig',
    join(dir, 'k3s.yaml'),
    '--bind-address',
    '127.0.0.1',
    '--https-listen-port',
    '1',
    ...extra,
  ];
  return run(k3s, args);
}

function writtenFiles(): string[] {
  return existsSync(join(dir, 'data')) ? readdirSync(join(dir, 'data'), { recursive: true }).map(String).sort() : [];
}

test("config.yaml: an unknown key is refused after K3s's own warning, before anything but the event is written", () => {
  const result = serverWith('cluster-init: true\ntoken: "t0ken"\ncluster_init: true\n');
  assert.is(result.code, 1);
  assert.match(result.stderr, 'level=warning msg="Unknown flag --cluster_init found in config.yaml, skipping\\n" standin="ploy test stand-in, not K3s"');
  assert.match(result.stderr, /level=fatal msg="ploy stand-in: config key \\"cluster_init\\" in \S+config.yaml is not a k3s server flag; K3s itself would skip it/);
  assert.equal(writtenFiles(), ['standin-events.log']);
  const events = readFileSync(join(dir, 'data', 'standin-events.log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(
    events.map((e) => [e.event, e.code]),
    [['exited', 1]],
  );
  assert.not.ok(existsSync(join(dir, 'k3s.yaml')));
});

test("config.yaml: YAML errors, bad booleans and unknown command-line flags fail with K3s's messages", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['token: a\ncluster-init\n', [], /level=fatal msg="yaml: line 2: could not find expected ':'"/],
    ['cluster-init: maybe\n', [], /level=fatal msg="invalid boolean value \\"maybe\\" for -cluster-init: parse error"/],
    ['node-label:\n  team: a\n', [], /holds a mapping; k3s flags take a value or a list/],
    ['write-kubeconfig-mode: |\n  0644\n', [], /does not read block scalars/],
    ['cluster-init: true\n', ['--clusterinit'], /level=fatal msg="flag provided but not defined: -clusterinit"/],
  ];
  for (const [config, extra, message] of cases) {
    const result = serverWith(config, ...extra);
    assert.is(result.code, 1, config);
    assert.match(result.stderr, message);
    assert.equal(writtenFiles(), ['standin-events.log'], config);
    rmSync(join(dir, 'data'), { recursive: true, force: true });
  }
});

test.run();
