/**
 * The bastion role's variables (group_vars/bastion.yml), their defaults, and the sha256s of the
 * pinned kubectl and helm releases. A version missing from a table needs its `<tool>_sha256`
 * variable; the run refuses it before any host is touched otherwise.
 */

export type ReleaseArch = 'amd64' | 'arm64';

/** `{ [version]: { amd64, arm64 } }`: the sha256 of each release file, as its publisher lists it. */
export type Sha256Table = Readonly<Record<string, Readonly<Record<ReleaseArch, string>>>>;

export interface BastionVars {
  /** The operator's login on the bastion; created when missing, with its home in /home/<name>. */
  operator_user: string;
  /** The operator's public keys, one OpenSSH line each (`ssh-ed25519 AAAA... me@laptop`); its authorized_keys holds exactly these. Required. */
  operator_authorized_keys: string[];
  /** The kubectl release installed in /usr/local/bin (https://dl.k8s.io/release/<v>/bin/linux/<arch>/kubectl). */
  kubectl_version: string;
  /** The sha256 of that kubectl for the bastion's architecture; wins over KUBECTL_SHA256, needed for a version it lacks. */
  kubectl_sha256?: string;
  /** The Helm release installed in /usr/local/bin (https://get.helm.sh/helm-<v>-linux-<arch>.tar.gz). */
  helm_version: string;
  /** The sha256 of that Helm tarball for the bastion's architecture; wins over HELM_SHA256. */
  helm_sha256?: string;
  /**
   * The name or address the operator's kubeconfig reaches the API at, on port 6443 (a load balancer's
   * name that is one of the servers' tls-san). Unset: the first server's private address.
   */
  k3s_api_endpoint?: string;
}

export const bastionDefaults = {
  operator_user: 'operator',
  kubectl_version: 'v1.31.4',
  helm_version: 'v3.16.3',
} satisfies Omit<BastionVars, 'operator_authorized_keys'>;

/**
 * dl.k8s.io's kubectl.sha256 files. v1.31.4: as pinned in kubernetes-sigs/kubespray
 * (roles/kubespray_defaults/vars/main/checksums.yml, kubectl_checksums, commit 16c05338).
 */
export const KUBECTL_SHA256: Sha256Table = {
  'v1.31.4': {
    amd64: '298e19e9c6c17199011404278f0ff8168a7eca4217edad9097af577023a5620f',
    arm64: 'b97e93c20e3be4b8c8fa1235a41b4d77d4f2022ed3d899230dbbbbd43d26f872',
  },
};

/**
 * get.helm.sh's .sha256sum files of the tarballs. v3.16.3: as pinned in kubernetes-sigs/kubespray
 * (same file, helm_archive_checksums) and openstack/kolla (kolla/common/sources.py).
 */
export const HELM_SHA256: Sha256Table = {
  'v3.16.3': {
    amd64: 'f5355c79190951eed23c5432a3b920e071f4c00a64f75e077de0dd4cb7b294ea',
    arm64: '5bd34ed774df6914b323ff84a0a156ea6ff2ba1eaf0113962fa773f3f9def798',
  },
};
