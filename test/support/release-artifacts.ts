/**
 * The files each upstream download host publishes for a version, at the upstream URL's path (what
 * ploy_download_mirror keeps when it replaces the origin), with the tests' stand-ins as the programs:
 *   k3s-io/k3s/releases/download/<v>/k3s, k3s-arm64, sha256sum-<arch>.txt       (github.com)
 *   release/<v>/bin/linux/<arch>/kubectl(.sha256)                                (dl.k8s.io)
 *   helm-<v>-linux-<arch>.tar.gz(.sha256sum, .sha256)                            (get.helm.sh)
 *   containerd/nerdctl/releases/download/v<v>/nerdctl-<v>-linux-<arch>.tar.gz, SHA256SUMS (github.com)
 *   moby/buildkit/releases/download/<v>/buildkit-<v>.linux-<arch>.tar.gz        (github.com; no checksum file upstream)
 * The helm inside the tarball is test/fixtures/bin/helm and its helpers as a zip application whose
 * preamble names the version (so that two versions differ); nerdctl is test/fixtures/standins/nerdctl; BuildKit's bin/buildkitd
 * and bin/buildctl are test/fixtures/standins/buildkit/.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildK3sStandin, buildKubectlStandin, sha256, workloadStandinModules, type ReleaseArch } from './k3s-standin.ts';
import { zipApp } from './zipapp.ts';
import { tarGz } from './tarball.ts';

export type ReleaseFiles = Map<string, Buffer>;

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const HELM_VERSION = /^v3\.\d+\.\d+$/;
const NERDCTL_VERSION = /^\d+\.\d+\.\d+$/;
const BUILDKIT_VERSION = /^v\d+\.\d+\.\d+$/;

export function k3sRelease(version: string, arches: ReleaseArch[]): ReleaseFiles {
  const files: ReleaseFiles = new Map();
  for (const arch of arches) {
    const name = arch === 'amd64' ? 'k3s' : `k3s-${arch}`;
    const binary = buildK3sStandin(version, arch);
    files.set(`k3s-io/k3s/releases/download/${version}/${name}`, binary.bytes);
    files.set(`k3s-io/k3s/releases/download/${version}/sha256sum-${arch}.txt`, Buffer.from(`${binary.sha256}  ${name}\n`));
  }
  return files;
}

export function kubectlRelease(version: string, arches: ReleaseArch[]): ReleaseFiles {
  const files: ReleaseFiles = new Map();
  for (const arch of arches) {
    const binary = buildKubectlStandin(version, arch);
    const path = `release/${version}/bin/linux/${arch}/kubectl`;
    files.set(path, binary.bytes);
    files.set(`${path}.sha256`, Buffer.from(binary.sha256));
  }
  return files;
}

export function helmRelease(version: string, arches: ReleaseArch[]): ReleaseFiles {
  if (!HELM_VERSION.test(version)) throw new Error(`helm release: version "${version}" is not a Helm 3 version like v3.16.3`);
  const script = readFileSync(join(FIXTURES, 'bin', 'helm'), 'utf8');
  const files: ReleaseFiles = new Map();
  for (const arch of arches) {
    const preamble = `#!/usr/bin/env python3\n# STAND-IN helm packaged as the Helm ${version} linux-${arch} release by test/support/release-artifacts.ts\n# A Python zip application of test/fixtures/bin/helm and its helpers: a ploy test fixture, not Helm.\n`;
    const helm = zipApp(preamble, [{ name: '__main__.py', data: Buffer.from(script) }, ...workloadStandinModules().filter((entry) => entry.name.startsWith('ploystandin/'))]);
    const name = `helm-${version}-linux-${arch}.tar.gz`;
    const archive = tarGz([
      { path: `linux-${arch}/` },
      { path: `linux-${arch}/helm`, data: helm, mode: 0o755 },
      { path: `linux-${arch}/LICENSE`, data: Buffer.from('Apache License 2.0 (stand-in packaging of a ploy test fixture)\n') },
      { path: `linux-${arch}/README.md`, data: Buffer.from(`# STAND-IN helm ${version}\n\nA ploy test fixture, not Helm.\n`) },
    ]);
    files.set(`${name}`, archive);
    files.set(`${name}.sha256sum`, Buffer.from(`${sha256(archive)}  ${name}\n`));
    files.set(`${name}.sha256`, Buffer.from(`${sha256(archive)}\n`));
  }
  return files;
}

export function nerdctlRelease(version: string, arches: ReleaseArch[]): ReleaseFiles {
  if (!NERDCTL_VERSION.test(version)) throw new Error(`nerdctl release: version "${version}" is not a nerdctl version like 1.7.7 (no leading v)`);
  const script = readFileSync(join(FIXTURES, 'standins', 'nerdctl'), 'utf8').replace('__NERDCTL_VERSION__', version);
  const files: ReleaseFiles = new Map();
  const sums: string[] = [];
  for (const arch of arches) {
    const refuse = (tool: string) => Buffer.from(`#!/bin/sh\necho "${tool}: ploy test stand-in (linux-${arch}), not part of nerdctl; it does nothing" >&2\nexit 1\n`);
    const name = `nerdctl-${version}-linux-${arch}.tar.gz`;
    const archive = tarGz([
      { path: 'nerdctl', data: Buffer.from(script.replace('"""STAND-IN nerdctl', `"""STAND-IN nerdctl (linux-${arch})`)), mode: 0o755 },
      { path: 'containerd-rootless-setuptool.sh', data: refuse('containerd-rootless-setuptool.sh'), mode: 0o755 },
      { path: 'containerd-rootless.sh', data: refuse('containerd-rootless.sh'), mode: 0o755 },
    ]);
    files.set(`containerd/nerdctl/releases/download/v${version}/${name}`, archive);
    sums.push(`${sha256(archive)}  ${name}\n`);
  }
  files.set(`containerd/nerdctl/releases/download/v${version}/SHA256SUMS`, Buffer.from(sums.join('')));
  return files;
}

/** BuildKit's release tarball as upstream lays it out (bin/...), with the STAND-IN buildkitd and buildctl for this version. */
export function buildkitRelease(version: string, arches: ReleaseArch[]): ReleaseFiles {
  if (!BUILDKIT_VERSION.test(version)) throw new Error(`buildkit release: version "${version}" is not a BuildKit version like v0.16.0`);
  const files: ReleaseFiles = new Map();
  for (const arch of arches) {
    const program = (name: string) =>
      Buffer.from(
        readFileSync(join(FIXTURES, 'standins', 'buildkit', name), 'utf8')
          .replaceAll('__BUILDKIT_VERSION__', version)
          .replace('"""STAND-IN', `"""STAND-IN (linux-${arch})`),
      );
    const archive = tarGz([
      { path: 'bin/' },
      { path: 'bin/buildkitd', data: program('buildkitd'), mode: 0o755 },
      { path: 'bin/buildctl', data: program('buildctl'), mode: 0o755 },
      { path: 'bin/buildkit-runc', data: Buffer.from(`#!/bin/sh\necho "buildkit-runc: ploy test stand-in (linux-${arch}), not part of BuildKit; it runs nothing" >&2\nexit 1\n`), mode: 0o755 },
    ]);
    files.set(`moby/buildkit/releases/download/${version}/buildkit-${version}.linux-${arch}.tar.gz`, archive);
  }
  return files;
}
