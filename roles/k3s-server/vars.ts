import { InputError, isSecret, type Secret } from '../../lib/index.ts';

/** The k3s-server role's variables; every one can be set in the inventory (group_vars/k3s_servers) or with -e. */
export interface K3sServerVars {
  /** The K3s release every server runs. Raising it upgrades one server at a time; lowering it is refused. */
  k3s_version: string;
  /**
   * The k3s binary's sha256: one for k3s_version on the servers' architecture, or by version as
   * K3S_SHA256 below (`{ v1.31.4+k3s1: <sha256> }`, or `{ v1.31.4+k3s1: { amd64: <sha256> } }`), so
   * that a k3s_version it does not list is refused before any host is touched. Default: K3S_SHA256.
   */
  k3s_sha256?: string | K3sSha256ByVersion;
  /** The cluster's shared secret. Default: the token the first server generates, read there during the run. */
  k3s_token?: Secret;
  /** The load balancer's DNS name (provision.ts writes it): a name of the API server's certificate. */
  k3s_lb_dns?: string;
  /** More names or addresses for the API server's certificate. */
  k3s_tls_san: string[];
  /** A registry the nodes pull images from (registries.yaml); none by default. */
  k3s_registry_url?: string;
  k3s_registry_username?: string;
  k3s_registry_password?: Secret;
  /** Traefik sends HTTP to HTTPS, except what an Ingress routes on the web entry point itself (ACME HTTP-01). */
  k3s_traefik_https_redirect: boolean;
  /** How long a server may take to report its node Ready after a start, in seconds. */
  k3s_ready_timeout_s: number;
  /** nerdctl, for administration on the servers. */
  nerdctl_version: string;
  nerdctl_sha256?: string;
  /** The host's address on the cluster's network (provision.ts writes it); default: ansible_host. */
  private_ip?: string;
}

/** sha256s by release, then by architecture or one for the servers' architecture. */
export type K3sSha256ByVersion = Readonly<Record<string, string | Readonly<Partial<Record<string, string>>>>>;

export const K3S_DEFAULTS: Omit<K3sServerVars, 'k3s_sha256' | 'k3s_token' | 'k3s_lb_dns' | 'k3s_registry_url' | 'k3s_registry_username' | 'k3s_registry_password' | 'nerdctl_sha256' | 'private_ip'> = {
  k3s_version: 'v1.32.5+k3s1',
  k3s_tls_san: [],
  k3s_traefik_https_redirect: true,
  k3s_ready_timeout_s: 300,
  nerdctl_version: '1.7.7',
};

/**
 * sha256 of the k3s binary per release and architecture, as the release's sha256sum-<arch>.txt lists
 * it. Only what could be checked is here: another release or architecture needs k3s_sha256.
 */
export const K3S_SHA256: Record<string, Partial<Record<string, string>>> = {
  'v1.32.5+k3s1': { amd64: '9624ef0534b1be432b4ce8dd94dcd7241ed02451d970a4d38943baccf5c60dce' },
};

/** sha256 of the nerdctl release tarballs; none is pinned yet: nerdctl_sha256 is needed. */
export const NERDCTL_SHA256: Record<string, Partial<Record<string, string>>> = {};

const VERSION = /^v(\d+)\.(\d+)\.(\d+)\+k3s(\d+)$/;
const SHA256 = /^[0-9a-f]{64}$/;
const FULL_TOKEN = /^K10[0-9a-f]{64}::[^:\s]+:\S+$/;
const BARE_TOKEN = /^[^\s:]{16,}$/;

/** v1.31.4+k3s1 as numbers, for ordering releases. */
export function parseK3sVersion(version: string): [number, number, number, number] | undefined {
  const match = VERSION.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])] : undefined;
}

/** Negative when a is older than b, 0 when the same release, positive when newer. */
export function compareK3sVersions(a: string, b: string): number {
  const [x, y] = [parseK3sVersion(a), parseK3sVersion(b)];
  if (!x || !y) throw new Error(`not K3s versions: ${a}, ${b}`);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return 0;
}

/** The release `k3s --version` reports: "k3s version v1.31.4+k3s1 (a1b2c3d4)". */
export function reportedK3sVersion(output: string): string | undefined {
  return /^k3s version (v\S+)/m.exec(output)?.[1];
}

/**
 * What must hold before any host is touched: a release whose sha256 is known (or given), an HA
 * cluster's worth of servers, a well-formed token and registry. Errors name the host and variable.
 */
export function checkServerVars(vars: K3sServerVars, servers: readonly string[], host: string): void {
  const where = (field: string) => ({ host, field });
  if (!parseK3sVersion(vars.k3s_version)) throw new InputError(`k3s_version must look like v1.32.5+k3s1, got ${JSON.stringify(vars.k3s_version)}`, where('k3s_version'));
  checkK3sSha256(vars, where('k3s_sha256'));
  if (vars.nerdctl_sha256 !== undefined && !SHA256.test(String(vars.nerdctl_sha256))) throw new InputError('nerdctl_sha256 must be 64 lowercase hex digits', where('nerdctl_sha256'));
  if (vars.nerdctl_sha256 === undefined && !NERDCTL_SHA256[vars.nerdctl_version]) {
    throw new InputError(
      `no sha256 is known for nerdctl ${vars.nerdctl_version}: set nerdctl_sha256 to the one its release's SHA256SUMS lists for nerdctl-${vars.nerdctl_version}-linux-<arch>.tar.gz`,
      where('nerdctl_sha256'),
    );
  }
  if (servers.length < 3) {
    throw new InputError(
      `an HA K3s cluster with embedded etcd needs at least 3 servers (etcd keeps a quorum with one of 3 down); the group k3s_servers has ${servers.length}: ${servers.join(', ') || 'none'}`,
      where('k3s_servers'),
    );
  }
  if (vars.k3s_token !== undefined) {
    if (!isSecret(vars.k3s_token)) throw new InputError('k3s_token must be a secret (!secret in YAML)', where('k3s_token'));
    const token = vars.k3s_token.reveal();
    if (!(FULL_TOKEN.test(token) || (!token.startsWith('K10') && BARE_TOKEN.test(token)))) {
      throw new InputError('k3s_token must be a K3s token: K10<64 hex>::server:<password>, or a password of at least 16 characters without spaces or ":"', where('k3s_token'));
    }
  }
  if (vars.k3s_registry_url !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(vars.k3s_registry_url);
    } catch {
      url = undefined;
    }
    if (!url || !['https:', 'http:'].includes(url.protocol) || url.pathname.replace(/\/+$/, '') !== '') {
      throw new InputError(`k3s_registry_url must be a registry's address like https://registry.example.com:5000, got ${JSON.stringify(vars.k3s_registry_url)}`, where('k3s_registry_url'));
    }
    if ((vars.k3s_registry_username === undefined) !== (vars.k3s_registry_password === undefined)) {
      throw new InputError(
        'give both k3s_registry_username and k3s_registry_password, or neither',
        where(vars.k3s_registry_username === undefined ? 'k3s_registry_username' : 'k3s_registry_password'),
      );
    }
  }
}

/**
 * k3s_sha256 must be a sha256 of k3s_version: given by version, it must list k3s_version; given
 * alone, it must not be one the role pins for another release (a k3s_version raised without its
 * sha256). Without it, the role's table must know k3s_version.
 */
function checkK3sSha256(vars: K3sServerVars, where: { host: string; field: string }): void {
  const given = vars.k3s_sha256;
  const version = vars.k3s_version;
  if (given === undefined) {
    if (K3S_SHA256[version]) return;
    throw new InputError(
      `no sha256 is known for K3s ${version}: set k3s_sha256 to the sha256 its sha256sum-<arch>.txt lists for the servers' architecture (known: ${Object.keys(K3S_SHA256).join(', ')})`,
      where,
    );
  }
  if (typeof given === 'string') {
    if (!SHA256.test(given)) throw new InputError('k3s_sha256 must be 64 lowercase hex digits, or sha256s by version', where);
    const pinnedFor = Object.entries(K3S_SHA256).flatMap(([release, arches]) =>
      Object.entries(arches)
        .filter(([, sha]) => sha === given)
        .map(([arch]) => `${release} ${arch}`),
    );
    if (pinnedFor.length > 0 && !pinnedFor.some((pin) => pin.startsWith(`${version} `))) {
      throw new InputError(
        `k3s_sha256 is the sha256 of K3s ${pinnedFor.join(', ')}, not of k3s_version ${version}: set the one ${version}'s sha256sum-<arch>.txt lists, or give k3s_sha256 by version`,
        where,
      );
    }
    return;
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new InputError('k3s_sha256 must be a sha256, or sha256s by version ({ v1.32.5+k3s1: <sha256> })', where);
  for (const [release, value] of Object.entries(given)) {
    const shas = typeof value === 'string' ? [value] : typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.values(value) : [value];
    if (!parseK3sVersion(release) || !shas.every((sha) => typeof sha === 'string' && SHA256.test(sha))) {
      throw new InputError(`k3s_sha256 by version: ${JSON.stringify(release)} must be a K3s version with a sha256 (or one per architecture) of 64 lowercase hex digits`, where);
    }
  }
  if (given[version] === undefined && !K3S_SHA256[version]) {
    throw new InputError(`k3s_sha256 lists ${Object.keys(given).join(', ') || 'no version'}, not k3s_version ${version}: add the sha256 its sha256sum-<arch>.txt lists`, where);
  }
}

/** The binary's sha256 for an architecture: the variable, else the table; undefined when neither knows it. */
export function k3sSha256(vars: K3sServerVars, arch: string): string | undefined {
  const given = vars.k3s_sha256;
  if (typeof given === 'string') return given;
  const entry = given?.[vars.k3s_version] ?? K3S_SHA256[vars.k3s_version];
  return typeof entry === 'string' ? entry : entry?.[arch];
}

export function nerdctlSha256(vars: K3sServerVars, arch: string): string | undefined {
  return vars.nerdctl_sha256 ?? NERDCTL_SHA256[vars.nerdctl_version]?.[arch];
}
