/**
 * The buildkit role's variables (group_vars/buildkit.yml, or -e), their defaults, and the checks that
 * run before any host is touched, naming the host and the variable.
 */
import { InputError, type Vars } from '../../lib/index.ts';
import { wholeNumber } from './whole-number.ts';

export interface BuildkitVars {
  /** The BuildKit release (moby/buildkit's tag, with its v). */
  buildkit_version: string;
  /** The release tarball's sha256 for the host's architecture; default: BUILDKIT_SHA256 below, for the pinned releases. */
  buildkit_sha256?: string;
  /** K3s's containerd, which runs the build steps and keeps the images (the containerd worker). */
  buildkit_containerd_socket: string;
  /** The containerd namespace of the images: K3s's kubelet uses k8s.io, so a built image is on the node at once. */
  buildkit_containerd_namespace: string;
  /** How long buildkitd may take to answer after a start, in seconds. */
  buildkit_ready_timeout_s: number;
}

export const BUILDKIT_DEFAULTS = {
  buildkit_version: 'v0.16.0',
  buildkit_containerd_socket: '/run/k3s/containerd/containerd.sock',
  buildkit_containerd_namespace: 'k8s.io',
  buildkit_ready_timeout_s: 60,
} satisfies Omit<BuildkitVars, 'buildkit_sha256'>;

/**
 * sha256 of buildkit-<v>.linux-<arch>.tar.gz per release and architecture. moby/buildkit publishes
 * no checksum file with its releases, and none could be checked from here: buildkit_sha256 is needed
 * (sha256sum of the tarball fetched once from https://github.com/moby/buildkit/releases).
 */
export const BUILDKIT_SHA256: Record<string, Partial<Record<string, string>>> = {};

export interface BuildkitSettings {
  version: string;
  /** undefined: look it up per architecture in BUILDKIT_SHA256 (the preflight made sure the release is there). */
  sha256?: string;
  containerdSocket: string;
  containerdNamespace: string;
  readyTimeoutS: number;
}

const VERSION = /^v\d+\.\d+\.\d+(-rc\d+)?$/;
const SHA256 = /^[0-9a-f]{64}$/;
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function buildkitSettings(vars: Vars & BuildkitVars, host: string): BuildkitSettings {
  const where = (field: string) => ({ host, field });
  const version = vars.buildkit_version;
  if (typeof version !== 'string' || !VERSION.test(version))
    throw new InputError(`variable "buildkit_version" must be a BuildKit release like v0.16.0, got ${JSON.stringify(version)}`, where('buildkit_version'));
  const sha256 = vars.buildkit_sha256;
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256.test(sha256))) throw new InputError('variable "buildkit_sha256" must be 64 lowercase hex digits', where('buildkit_sha256'));
  if (sha256 === undefined && !BUILDKIT_SHA256[version]) {
    throw new InputError(
      `no sha256 is known for BuildKit ${version}: set buildkit_sha256 to the sha256 of https://github.com/moby/buildkit/releases/download/${version}/buildkit-${version}.linux-<arch>.tar.gz for the host's architecture (moby/buildkit publishes no checksum file)`,
      where('buildkit_sha256'),
    );
  }
  const socket = vars.buildkit_containerd_socket;
  if (typeof socket !== 'string' || !socket.startsWith('/'))
    throw new InputError(`variable "buildkit_containerd_socket" must be an absolute path, got ${JSON.stringify(socket)}`, where('buildkit_containerd_socket'));
  const namespace = vars.buildkit_containerd_namespace;
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace))
    throw new InputError(`variable "buildkit_containerd_namespace" must be a containerd namespace like k8s.io, got ${JSON.stringify(namespace)}`, where('buildkit_containerd_namespace'));
  const timeout = wholeNumber(vars.buildkit_ready_timeout_s);
  if (timeout === undefined || timeout < 2)
    throw new InputError(`variable "buildkit_ready_timeout_s" must be a whole number of seconds, at least 2, got ${JSON.stringify(vars.buildkit_ready_timeout_s)}`, where('buildkit_ready_timeout_s'));
  return { version, ...(sha256 !== undefined ? { sha256 } : {}), containerdSocket: socket, containerdNamespace: namespace, readyTimeoutS: timeout };
}

export function buildkitSha256(settings: BuildkitSettings, arch: string): string | undefined {
  return settings.sha256 ?? BUILDKIT_SHA256[settings.version]?.[arch];
}
