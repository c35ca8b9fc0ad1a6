/**
 * Where kubectl and helm come from, and which sha256 each must have. The URLs are the upstream
 * ones; `ploy_download_mirror` replaces their origin and keeps the path (an air-gapped mirror).
 */
import { HELM_SHA256, KUBECTL_SHA256, type ReleaseArch, type Sha256Table } from './vars.ts';

export type Tool = 'kubectl' | 'helm';

/** A Kubernetes or Helm release version as the download hosts spell it. */
export const RELEASE_VERSION = /^v\d+\.\d+\.\d+$/;
export const SHA256 = /^[0-9a-f]{64}$/;

export const TABLES: Readonly<Record<Tool, Sha256Table>> = { kubectl: KUBECTL_SHA256, helm: HELM_SHA256 };

export function kubectlUrl(version: string, arch: string): string {
  return `https://dl.k8s.io/release/${version}/bin/linux/${arch}/kubectl`;
}

export function helmUrl(version: string, arch: string): string {
  return `https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz`;
}

/** The directory inside Helm's tarball that holds the helm binary. */
export function helmMember(arch: string): string {
  return `linux-${arch}/helm`;
}

export function isReleaseArch(arch: string): arch is ReleaseArch {
  return arch === 'amd64' || arch === 'arm64';
}

/** Whether the version can be checked at all: the variable overrides, or the table knows the version. */
export function hasSha256(tool: Tool, version: string, override: string | undefined, table: Sha256Table = TABLES[tool]): boolean {
  return override !== undefined || Object.hasOwn(table, version);
}

/**
 * The sha256 the download must have on this architecture: the `<tool>_sha256` variable when set,
 * else the table's entry; undefined when neither gives one.
 */
export function pinnedSha256(tool: Tool, version: string, arch: string, override: string | undefined, table: Sha256Table = TABLES[tool]): string | undefined {
  if (override !== undefined) return override.toLowerCase();
  if (!isReleaseArch(arch) || !Object.hasOwn(table, version)) return undefined;
  return table[version]?.[arch];
}
