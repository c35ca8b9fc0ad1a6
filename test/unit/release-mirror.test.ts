/**
 * The release mirror on 127.0.0.1: the upstream hosts' layout for the versions asked for, checksum
 * files that match what is served, tarballs laid out as Helm's and nerdctl's, and every request
 * recorded.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll } from '../support/before-all.ts';
import { buildK3sStandin, buildKubectlStandin } from '../support/k3s-standin.ts';
import { startReleaseMirror, type ReleaseMirror } from '../support/release-mirror.ts';

let mirror: ReleaseMirror;
const dir = mkdtempSync(join(tmpdir(), 'ploy-release-mirror-'));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const get = async (path: string) => {
  const response = await fetch(`${mirror.url}/${path}`);
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
};

beforeAll(test, async () => {
  mirror = await startReleaseMirror({ address: '127.0.0.1', k3s: ['v1.31.4+k3s1', 'v1.31.5+k3s1'], kubectl: ['v1.31.4'], helm: ['v3.16.3'], nerdctl: ['1.7.7'] });
});
test.after(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the upstream layout, for each version and both architectures, and nothing else', () => {
  const k3s = (v: string) => [
    `k3s-io/k3s/releases/download/${v}/k3s`,
    `k3s-io/k3s/releases/download/${v}/sha256sum-amd64.txt`,
    `k3s-io/k3s/releases/download/${v}/k3s-arm64`,
    `k3s-io/k3s/releases/download/${v}/sha256sum-arm64.txt`,
  ];
  const kubectl = (arch: string) => [`release/v1.31.4/bin/linux/${arch}/kubectl`, `release/v1.31.4/bin/linux/${arch}/kubectl.sha256`];
  const helm = (arch: string) => [`helm-v3.16.3-linux-${arch}.tar.gz`, `helm-v3.16.3-linux-${arch}.tar.gz.sha256sum`, `helm-v3.16.3-linux-${arch}.tar.gz.sha256`];
  assert.equal(
    [...mirror.files.keys()],
    [
      ...k3s('v1.31.4+k3s1'),
      ...k3s('v1.31.5+k3s1'),
      ...kubectl('amd64'),
      ...kubectl('arm64'),
      ...helm('amd64'),
      ...helm('arm64'),
      'containerd/nerdctl/releases/download/v1.7.7/nerdctl-1.7.7-linux-amd64.tar.gz',
      'containerd/nerdctl/releases/download/v1.7.7/nerdctl-1.7.7-linux-arm64.tar.gz',
      'containerd/nerdctl/releases/download/v1.7.7/SHA256SUMS',
    ],
  );
  assert.throws(() => mirror.sha256('k3s-io/k3s/releases/download/v1.30.0+k3s1/k3s'), /release mirror: k3s-io\/k3s\/releases\/download\/v1.30.0\+k3s1\/k3s is not served/);
});

test("every file served hashes to its listed sha256; the checksum files say the same, in upstream's formats", async () => {
  for (const [path, file] of mirror.files) {
    const { status, body } = await get(path);
    assert.equal([status, sha(body), body.length], [200, file.sha256, file.size], path);
  }
  const k3sSums = (await get('k3s-io/k3s/releases/download/v1.31.4+k3s1/sha256sum-amd64.txt')).body.toString();
  assert.is(k3sSums, `${mirror.sha256('k3s-io/k3s/releases/download/v1.31.4+k3s1/k3s')}  k3s\n`);
  assert.is(mirror.sha256('k3s-io/k3s/releases/download/v1.31.4+k3s1/k3s'), buildK3sStandin('v1.31.4+k3s1', 'amd64').sha256, "the builder's bytes");
  assert.is((await get('k3s-io/k3s/releases/download/v1.31.5+k3s1/sha256sum-arm64.txt')).body.toString(), `${buildK3sStandin('v1.31.5+k3s1', 'arm64').sha256}  k3s-arm64\n`);
  assert.is((await get('release/v1.31.4/bin/linux/amd64/kubectl.sha256')).body.toString(), buildKubectlStandin('v1.31.4', 'amd64').sha256);
  assert.is((await get('helm-v3.16.3-linux-arm64.tar.gz.sha256sum')).body.toString(), `${mirror.sha256('helm-v3.16.3-linux-arm64.tar.gz')}  helm-v3.16.3-linux-arm64.tar.gz\n`);
  assert.is(
    (await get('containerd/nerdctl/releases/download/v1.7.7/SHA256SUMS')).body.toString(),
    ['amd64', 'arm64'].map((a) => `${mirror.sha256(`containerd/nerdctl/releases/download/v1.7.7/nerdctl-1.7.7-linux-${a}.tar.gz`)}  nerdctl-1.7.7-linux-${a}.tar.gz\n`).join(''),
  );
});

test("helm's tarball holds linux-<arch>/helm (the helm stand-in, tagged with its version), nerdctl's holds a nerdctl that answers --version", async () => {
  writeFileSync(join(dir, 'helm.tgz'), (await get('helm-v3.16.3-linux-amd64.tar.gz')).body);
  assert.equal(
    execFileSync('tar', ['-tvzf', join(dir, 'helm.tgz')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) =>
        line
          .split(/\s+/)
          .filter((_, i) => i !== 2 && i !== 3 && i !== 4)
          .join(' '),
      ),
    ['drwxr-xr-x root/root linux-amd64/', '-rwxr-xr-x root/root linux-amd64/helm', '-rw-r--r-- root/root linux-amd64/LICENSE', '-rw-r--r-- root/root linux-amd64/README.md'],
  );
  execFileSync('tar', ['-xzf', join(dir, 'helm.tgz'), '-C', dir]);
  const helm = join(dir, 'linux-amd64', 'helm');
  const packaged = readFileSync(helm, 'latin1').split('\n');
  assert.equal(packaged.slice(0, 2), ['#!/usr/bin/env python3', '# STAND-IN helm packaged as the Helm v3.16.3 linux-amd64 release by test/support/release-artifacts.ts']);
  assert.is(execFileSync(helm, ['version', '--short'], { encoding: 'utf8' }), `v3.16.3+g${createHash('sha1').update('stand-in helm v3.16.3').digest('hex').slice(0, 7)}\n`);
  // Its helpers are inside: with no kubeconfig it answers as helm does when nothing listens at localhost:8080.
  const list = spawnSync(helm, ['list', '-o', 'json'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir, PLOY_STANDIN_DIR: join(dir, 'state') } });
  assert.equal([list.status, list.stderr.includes('Kubernetes cluster unreachable')], [1, true], list.stderr);

  writeFileSync(join(dir, 'nerdctl.tgz'), (await get('containerd/nerdctl/releases/download/v1.7.7/nerdctl-1.7.7-linux-amd64.tar.gz')).body);
  execFileSync('tar', ['-xzf', join(dir, 'nerdctl.tgz'), '-C', dir]);
  assert.is(execFileSync(join(dir, 'nerdctl'), ['--version'], { encoding: 'utf8' }), 'nerdctl version 1.7.7\n');
  const ps = spawnSync(join(dir, 'nerdctl'), ['ps'], { encoding: 'utf8' });
  assert.equal([ps.status, ps.stderr.includes('ploy test stand-in nerdctl runs no containers')], [1, true]);
});

test('every request is recorded, misses included; a %2B in the version is the same path', async () => {
  const before = mirror.requests.length;
  assert.is((await get('k3s-io/k3s/releases/download/v1.31.4%2Bk3s1/k3s')).status, 200);
  assert.is((await get('k3s-io/k3s/releases/download/v9.9.9+k3s1/k3s')).status, 404);
  await fetch(`${mirror.url}/k3s-io/k3s/releases/download/v1.31.4+k3s1/k3s`, { method: 'HEAD' });
  assert.equal(
    mirror.requests.slice(before).map((r) => `${r.method} ${r.url}`),
    ['GET /k3s-io/k3s/releases/download/v1.31.4%2Bk3s1/k3s', 'GET /k3s-io/k3s/releases/download/v9.9.9+k3s1/k3s', 'HEAD /k3s-io/k3s/releases/download/v1.31.4+k3s1/k3s'],
  );
  assert.equal(mirror.downloads().slice(-2), ['k3s-io/k3s/releases/download/v1.31.4+k3s1/k3s', 'k3s-io/k3s/releases/download/v9.9.9+k3s1/k3s']);
});

test('versions in the wrong form are refused by name', async () => {
  const refused = async (options: Parameters<typeof startReleaseMirror>[0], message: RegExp) => {
    try {
      await startReleaseMirror(options);
    } catch (error) {
      assert.match((error as Error).message, message);
      return;
    }
    assert.unreachable('a mirror started');
  };
  await refused({ address: '127.0.0.1', helm: ['3.16.3'] }, /helm release: version "3.16.3" is not a Helm 3 version like v3.16.3/);
  await refused({ address: '127.0.0.1', nerdctl: ['v1.7.7'] }, /nerdctl release: version "v1.7.7" is not a nerdctl version like 1.7.7/);
  await refused({ address: '127.0.0.1', k3s: ['v1.31.4'] }, /k3s stand-in: version "v1.31.4" is not a K3s version/);
  await refused({}, /give a bed or an address/);
});

test.run();
