/**
 * `npm run demo`: the cluster rehearsal on the local test bed, where AWS, K3s and Kubernetes are
 * absent. Boots a bastion and three servers that only the bastion reaches, a release mirror for every
 * download, a registry and a chart repository (test/support/site-bed.ts), then runs playbooks/site.ts
 * through the real CLI (bin/ploy) as a user would on AWS: --check on the fresh hosts, converge, a
 * no-change re-run, and one role (--role k3s-server); then removes everything it started. Exits
 * non-zero if any step does not end as it should.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SITE_HOSTS, SITE_SECRETS, SITE_SERVERS, startSiteBed, type SiteBed } from '../test/support/site-bed.ts';

interface Stats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
}
interface Step {
  label: string;
  args: string[];
  /** What the step must show, given its exit code and each host's counts; undefined when it did. */
  verdict: (code: number, stats: Record<string, Stats>, site: SiteBed) => Promise<string | undefined>;
}

const ploy = fileURLToPath(new URL('../bin/ploy', import.meta.url));
const sitePlaybook = fileURLToPath(new URL('../playbooks/site.ts', import.meta.url));
const HOSTS = [...SITE_HOSTS];

const STANDINS = `What is real and what is a stand-in here:
  real:      ploy and its CLI, OpenSSH, systemd, the four Debian hosts (systemd-nspawn), the bastion hop,
             Debian's docker-registry (on the bastion), sha256 checks of every download
  stand-ins: k3s (a Python program that answers like K3s on 6443, joins servers and reports nodes;
             no Kubernetes runs), kubectl, helm, nerdctl and BuildKit (they keep the objects they are
             given on the host they run on; nothing is scheduled), the cert-manager chart (plain objects)
  What each stand-in proves and does not: README "The demo" and docs/verification.md.`;

function runSite(site: SiteBed, args: string[]): Promise<{ code: number; stats: Record<string, Stats>; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ploy, sitePlaybook, '-i', site.inventory, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: site.cluster.home } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code: code ?? -1, stats: (JSON.parse(out) as { stats: Record<string, Stats> }).stats, output: out + err });
      } catch {
        reject(new Error(`site.ts printed no JSON document (exit ${code}):\n${out}${err}`));
      }
    });
  });
}

const line = (stats: Record<string, Stats>) =>
  Object.entries(stats)
    .map(([host, s]) => `${host}: ok=${s.ok} changed=${s.changed} failed=${s.failed} unreachable=${s.unreachable} skipped=${s.skipped}`)
    .join('\n  ');

async function nothingInstalled(site: SiteBed): Promise<string | undefined> {
  for (const host of SITE_SERVERS) {
    const left = await site.cluster.bed.sh(host, 'ls /usr/local/bin/k3s /etc/rancher/k3s 2>/dev/null');
    if (left.stdout.trim() !== '') return `--check changed ${host}: ${left.stdout.trim()}`;
  }
  return undefined;
}

const everyHost = (stats: Record<string, Stats>, hosts: string[]) => hosts.every((h) => stats[h]) && Object.keys(stats).length === hosts.length;

const steps: Step[] = [
  {
    label: 'site.ts --check on fresh hosts: the plan, nothing changed',
    args: ['--check'],
    verdict: async (code, stats, site) =>
      code !== 0 ? `exit ${code}` : !everyHost(stats, HOSTS) || !HOSTS.every((h) => (stats[h]?.changed ?? 0) > 0) ? 'not every host has changes planned' : await nothingInstalled(site),
  },
  {
    label: 'site.ts: converge the cluster',
    args: [],
    verdict: async (code, stats, site) => {
      if (code !== 0 || !everyHost(stats, HOSTS)) return `exit ${code}`;
      const nodes = (await site.cluster.bed.sh('bastion', `sudo -u operator kubectl get nodes --no-headers`)).stdout;
      const ready = SITE_SERVERS.filter((name) => new RegExp(`^${name}\\s+Ready`, 'm').test(nodes));
      return ready.length === SITE_SERVERS.length ? undefined : `the operator's kubectl on the bastion sees ${ready.length} Ready nodes:\n${nodes}`;
    },
  },
  {
    label: 'site.ts again: nothing to change',
    args: [],
    verdict: async (code, stats) => (code !== 0 || !everyHost(stats, HOSTS) ? `exit ${code}` : HOSTS.every((h) => stats[h]?.changed === 0) ? undefined : 'a host changed'),
  },
  {
    label: 'site.ts --role k3s-server: one role, on the servers only',
    args: ['--role', 'k3s-server'],
    verdict: async (code, stats) =>
      code !== 0
        ? `exit ${code}`
        : !everyHost(stats, [...SITE_SERVERS])
          ? `ran on ${Object.keys(stats).join(', ')}`
          : SITE_SERVERS.every((h) => stats[h]?.changed === 0)
            ? undefined
            : 'a server changed',
  },
];

console.log('Booting the test bed: a bastion, three servers behind it, a release mirror, a registry, a chart repository...');
const started = Date.now();
const site = await startSiteBed();
console.log(`Test bed up in ${((Date.now() - started) / 1000).toFixed(1)} s.\n${STANDINS}\n`);
let failures = 0;
try {
  for (const step of steps) {
    const began = Date.now();
    const { code, stats, output } = await runSite(site, step.args);
    const problem = (await step.verdict(code, stats, site)) ?? (Object.values(SITE_SECRETS).some((secret) => output.includes(secret)) ? 'a secret showed in the output' : undefined);
    if (problem) failures++;
    console.log(`${problem ? 'FAIL' : 'ok  '} ${step.label} (${Date.now() - began} ms)\n  ${line(stats)}${problem ? `\n  ${problem}` : ''}`);
  }
} finally {
  await site.stop();
  console.log('Test bed removed.');
}
process.exit(failures === 0 ? 0 : 1);
