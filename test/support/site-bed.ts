/**
 * The whole cluster of playbooks/site.ts on the local test bed, where AWS, K3s and Kubernetes are
 * absent: a bastion and three servers that only it reaches (the cluster's topology), a release mirror
 * for every download (K3s, nerdctl, kubectl, helm and BuildKit: STAND-INS, with their own sha256s),
 * Debian's REAL docker-registry on the bastion (the cluster's registry, htpasswd auth), a Helm
 * repository of a STAND-IN cert-manager chart, and the inventory provision.ts would write, with the
 * variables a user sets (inventory/example.yml). `npm run demo` and the site tests run on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startTestbed, TESTBED_USERS, type Testbed } from '../testbed/bed.ts';
import { startBedRegistry, type BedRegistry } from './bed-registry.ts';
import type { HttpFixture } from './http-fixture.ts';
import { startReleaseMirror, type ReleaseMirror } from './release-mirror.ts';
import { startCertManagerChartRepo } from './standin-chart-repo.ts';

export const SITE_VERSIONS = { k3s: 'v1.31.4+k3s1', kubectl: 'v1.31.4', helm: 'v3.16.3', nerdctl: '1.7.7', buildkit: 'v0.16.0', certManager: 'v1.16.2' } as const;
export const SITE_SERVERS = ['server1', 'server2', 'server3'] as const;
/** The secrets of the demo's inventory: none of them may show in any output. */
export const SITE_SECRETS = { registryPassword: 'Demo-registry-pw-5e2b91', acmeEmail: 'acme-owner@demo.example.test' } as const;

export interface SiteBed {
  bed: Testbed;
  mirror: ReleaseMirror;
  registry: BedRegistry;
  chartRepo: HttpFixture;
  /** The inventory file (cluster.yml in the bed's directory). */
  inventory: string;
  /** The operator's private key (its public half is in operator_authorized_keys). */
  operatorKey: string;
  stop(): Promise<void>;
}

const k3sPath = (version: string) => `k3s-io/k3s/releases/download/${version}/k3s`;

export async function startSiteBed(): Promise<SiteBed> {
  const bed = await startTestbed({ hosts: [{ name: 'bastion' }, ...SITE_SERVERS.map((name) => ({ name, network: 'private' as const }))], bastion: 'bastion' });
  const work = mkdtempSync(join(tmpdir(), 'ploy-site-bed-'));
  let mirror: ReleaseMirror | undefined;
  let chartRepo: HttpFixture | undefined;
  const stop = async () => {
    await chartRepo?.close();
    await mirror?.close();
    await bed.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const v = SITE_VERSIONS;
    mirror = await startReleaseMirror({ bed, k3s: [v.k3s], kubectl: [v.kubectl], helm: [v.helm], nerdctl: [v.nerdctl], buildkit: [v.buildkit], arches: ['amd64'] });
    const registry = await startBedRegistry(bed, 'bastion', { username: 'ploy', password: SITE_SECRETS.registryPassword });
    chartRepo = await startCertManagerChartRepo(bed.host('bastion').ip.replace(/\.\d+$/, '.1'), [v.certManager]);
    const operatorKey = join(work, 'operator_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'operator@ploy-demo', '-f', operatorKey]);
    const inventory = join(bed.dir, 'cluster.yml');
    writeFileSync(inventory, siteInventory(bed, mirror, registry, chartRepo, readFileSync(`${operatorKey}.pub`, 'utf8').trim()));
    return { bed, mirror, registry, chartRepo, inventory, operatorKey, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What provision.ts writes (the hosts, their groups, the load balancer's name), and the variables a user adds. */
function siteInventory(bed: Testbed, mirror: ReleaseMirror, registry: BedRegistry, chartRepo: HttpFixture, operatorPublicKey: string): string {
  const v = SITE_VERSIONS;
  const server = (name: string) => ({ ansible_host: bed.host(name).ip, private_ip: bed.host(name).ip, ploy_jump_host: 'bastion' });
  const text = stringify({
    all: {
      vars: {
        ansible_user: TESTBED_USERS.deploy.name,
        ansible_ssh_private_key_file: bed.keyPath,
        ansible_ssh_common_args: `-o UserKnownHostsFile=${bed.knownHostsPath}`,
        k3s_lb_dns: 'k3s-ha-nlb.demo.example.test',
        ploy_download_mirror: mirror.privateUrl,
        k3s_version: v.k3s,
        k3s_sha256: mirror.sha256(k3sPath(v.k3s)),
        nerdctl_sha256: mirror.sha256(`containerd/nerdctl/releases/download/v${v.nerdctl}/nerdctl-${v.nerdctl}-linux-amd64.tar.gz`),
        kubectl_version: v.kubectl,
        kubectl_sha256: mirror.sha256(`release/${v.kubectl}/bin/linux/amd64/kubectl`),
        helm_version: v.helm,
        helm_sha256: mirror.sha256(`helm-${v.helm}-linux-amd64.tar.gz`),
        buildkit_version: v.buildkit,
        buildkit_sha256: mirror.sha256(`moby/buildkit/releases/download/${v.buildkit}/buildkit-${v.buildkit}.linux-amd64.tar.gz`),
        k3s_registry_url: `http://${registry.address}`,
        k3s_registry_username: registry.username,
        k3s_registry_password: 'REGISTRY_PASSWORD',
        operator_authorized_keys: [operatorPublicKey],
        cert_manager_version: v.certManager,
        cert_manager_chart_repo: chartRepo.base,
        cert_manager_acme_email: 'ACME_EMAIL',
        nginx_demo_host: 'demo.example.test',
      },
      children: {
        bastion: { hosts: { bastion: { ansible_host: bed.host('bastion').ip } } },
        k3s_servers: { hosts: Object.fromEntries(SITE_SERVERS.map((name) => [name, server(name)])) },
        buildkit: { hosts: { server3: {} } },
      },
    },
  });
  // The secrets as a user writes them: tagged !secret.
  return text.replace('REGISTRY_PASSWORD', `!secret "${SITE_SECRETS.registryPassword}"`).replace('ACME_EMAIL', `!secret "${SITE_SECRETS.acmeEmail}"`);
}
