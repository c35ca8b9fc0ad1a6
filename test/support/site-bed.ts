/**
 * The whole cluster of playbooks/site.ts on the local test bed, where AWS, K3s and Kubernetes are
 * absent: the cluster bed (a bastion and three servers only it reaches, a release mirror; see
 * cluster-bed.ts) with every download the roles make in the mirror (K3s, nerdctl, kubectl, helm and
 * BuildKit: STAND-INS, with their own sha256s), Debian's REAL docker-registry on the bastion (the
 * cluster's registry, htpasswd auth), a Helm repository of a STAND-IN cert-manager chart, and the
 * variables a user sets (inventory/example.yml). `npm run demo` and bench:cluster run on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBedRegistry, type BedRegistry } from './bed-registry.ts';
import { CLUSTER_SERVERS, startClusterBed, type ClusterBed } from './cluster-bed.ts';
import type { HttpFixture } from './http-fixture.ts';
import { startCertManagerChartRepo } from './standin-chart-repo.ts';

export const SITE_VERSIONS = { kubectl: 'v1.31.4', helm: 'v3.16.3', buildkit: 'v0.16.0', certManager: 'v1.16.2' } as const;
export const SITE_SERVERS = CLUSTER_SERVERS;
export const SITE_HOSTS = ['bastion', ...CLUSTER_SERVERS] as const;
export const SITE_DEMO_HOST = 'demo.example.test';
/** The secrets of the site's inventory: none of them may show in any output. */
export const SITE_SECRETS = { registryPassword: 'Demo-registry-pw-5e2b91', acmeEmail: 'acme-owner@demo.example.test' } as const;

export interface SiteBed {
  readonly cluster: ClusterBed;
  readonly registry: BedRegistry;
  readonly chartRepo: HttpFixture;
  /** The inventory of the whole site (the cluster bed's default one). */
  readonly inventory: string;
  /** The operator's private key (its public half is in operator_authorized_keys). */
  readonly operatorKey: string;
  stop(): Promise<void>;
}

export async function startSiteBed(): Promise<SiteBed> {
  const v = SITE_VERSIONS;
  const cluster = await startClusterBed({ kubectl: [v.kubectl], helm: [v.helm], buildkit: [v.buildkit] });
  const work = mkdtempSync(join(tmpdir(), 'ploy-site-bed-'));
  let chartRepo: HttpFixture | undefined;
  const stop = async () => {
    await chartRepo?.close();
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const { bed, mirror } = cluster;
    const registry = await startBedRegistry(bed, 'bastion', { username: 'ploy', password: SITE_SECRETS.registryPassword });
    chartRepo = await startCertManagerChartRepo(bed.host('bastion').ip.replace(/\.\d+$/, '.1'), [v.certManager]);
    const operatorKey = join(work, 'operator_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'operator@ploy-demo', '-f', operatorKey]);
    const inventory = cluster.writeInventory({
      groups: { buildkit: ['server3'] },
      vars: {
        // Known hosts for anyone running bin/ploy with this inventory by hand, not only the bed's HOME.
        ansible_ssh_common_args: `-o UserKnownHostsFile=${bed.knownHostsPath}`,
        kubectl_version: v.kubectl,
        kubectl_sha256: mirror.sha256(`release/${v.kubectl}/bin/linux/amd64/kubectl`),
        helm_version: v.helm,
        helm_sha256: mirror.sha256(`helm-${v.helm}-linux-amd64.tar.gz`),
        buildkit_version: v.buildkit,
        buildkit_sha256: mirror.sha256(`moby/buildkit/releases/download/${v.buildkit}/buildkit-${v.buildkit}.linux-amd64.tar.gz`),
        k3s_registry_url: `http://${registry.address}`,
        k3s_registry_username: registry.username,
        k3s_registry_password: { secret: registry.password },
        operator_authorized_keys: [readFileSync(`${operatorKey}.pub`, 'utf8').trim()],
        cert_manager_version: v.certManager,
        cert_manager_chart_repo: chartRepo.base,
        cert_manager_acme_email: { secret: SITE_SECRETS.acmeEmail },
        nginx_demo_host: SITE_DEMO_HOST,
      },
    });
    return { cluster, registry, chartRepo, inventory, operatorKey, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
