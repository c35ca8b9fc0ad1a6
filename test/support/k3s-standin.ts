/**
 * Builds the STAND-IN k3s (test/fixtures/standins/k3s, a Python zip application, NOT K3s) for one
 * version and architecture, the way a K3s release ships one binary per version: the version, the
 * architecture and the product are written into the app, so each build has its own bytes and sha256.
 * The same app built as PRODUCT kubectl is the stand-in for dl.k8s.io's kubectl release.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipApp, type ZipEntry } from './zipapp.ts';

export type ReleaseArch = 'amd64' | 'arm64';

export interface ReleaseBinary {
  bytes: Buffer;
  /** Hex sha256 of bytes, as the release's checksum files give it. */
  sha256: string;
}

export const K3S_STANDIN_SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'standins', 'k3s');
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The workload tests' stand-in kubectl and its helpers, as modules of a zip application (its kubectl is workloads_kubectl). */
export function workloadStandinModules(): ZipEntry[] {
  const helpers = join(FIXTURES, 'standin', 'ploystandin');
  return [
    ...readdirSync(helpers)
      .filter((name) => name.endsWith('.py'))
      .sort()
      .map((name) => ({ name: `ploystandin/${name}`, data: readFileSync(join(helpers, name)) })),
    { name: 'workloads_kubectl.py', data: readFileSync(join(FIXTURES, 'bin', 'kubectl')) },
  ];
}

const K3S_VERSION = /^v1\.\d+\.\d+\+k3s\d+$/;
const KUBERNETES_VERSION = /^v1\.\d+\.\d+$/;
const built = new Map<string, ReleaseBinary>();

/** The stand-in k3s binary of a K3s version such as v1.31.4+k3s1. */
export function buildK3sStandin(version: string, arch: ReleaseArch = 'amd64'): ReleaseBinary {
  if (!K3S_VERSION.test(version)) throw new Error(`k3s stand-in: version "${version}" is not a K3s version like v1.31.4+k3s1`);
  return build('k3s', version, arch);
}

/** The stand-in kubectl of a Kubernetes version such as v1.31.4 (what dl.k8s.io serves). */
export function buildKubectlStandin(version: string, arch: ReleaseArch = 'amd64'): ReleaseBinary {
  if (!KUBERNETES_VERSION.test(version)) throw new Error(`kubectl stand-in: version "${version}" is not a Kubernetes version like v1.31.4`);
  return build('kubectl', version, arch);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function build(product: 'k3s' | 'kubectl', version: string, arch: ReleaseArch): ReleaseBinary {
  const key = `${product} ${version} ${arch}`;
  const cached = built.get(key);
  if (cached) return cached;
  const modules = readdirSync(K3S_STANDIN_SOURCE)
    .filter((name) => name.endsWith('.py'))
    .sort()
    .map((name) => ({ name, data: readFileSync(join(K3S_STANDIN_SOURCE, name)) }));
  const buildInfo = Buffer.from(`VERSION = ${JSON.stringify(version)}\nARCH = ${JSON.stringify(arch)}\nPRODUCT = ${JSON.stringify(product)}\n`);
  const preamble =
    '#!/usr/bin/env python3\n' +
    `# STAND-IN ${product} ${version} linux/${arch}: a ploy test fixture, NOT ${product === 'k3s' ? 'K3s' : 'kubectl'}.\n` +
    '# A Python zip application built from test/fixtures/standins/k3s by test/support/k3s-standin.ts.\n';
  const bytes = zipApp(preamble, [...modules, ...workloadStandinModules(), { name: 'build.py', data: buildInfo }]);
  const binary = { bytes, sha256: sha256(bytes) };
  built.set(key, binary);
  return binary;
}
