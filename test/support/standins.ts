/**
 * The stand-in kubectl and helm (test/fixtures/bin, helpers in test/fixtures/standin): test
 * fixtures that record every call, never defaults. Installed on a test-bed host by the tests that
 * use them, with a "cluster" that answers at SERVER through K3s's kubeconfig and root's ~/.kube/config.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BedModuleHost } from './module-host.ts';

/** A bed host's root shell (outside SSH), where the stand-ins are installed and read. */
type RootShell = Pick<BedModuleHost, 'sh'>;

export const STANDIN_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bin');
const STANDIN_LIB = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'standin', 'ploystandin');
/** Where the stand-ins keep their state and call log on the host (their default). */
export const STANDIN_STATE = '/var/lib/ploy-standin';
/** The stand-in API server's URL, as K3s writes it into its kubeconfig. */
export const SERVER = 'https://127.0.0.1:6443';
/** K3s's own kubeconfig; root's ~/.kube/config is a copy (the default of kubectl and helm run as root). */
export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';
export const ROOT_KUBECONFIG = '/root/.kube/config';

const KUBECONFIG_TEXT = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- cluster:',
  `    server: ${SERVER}`,
  '  name: default',
  'contexts:',
  '- context:',
  '    cluster: default',
  '    user: default',
  '  name: default',
  'current-context: default',
  'users:',
  '- name: default',
  '  user: {}',
  '',
].join('\n');

export interface StandinCall {
  tool: 'kubectl' | 'helm';
  argv: string[];
  /** What the call read on stdin; null when it read none. */
  stdin: string | null;
}

/** Copy the stand-in kubectl and helm to /usr/local/bin on the host (on sudo's secure_path), their helpers beside. */
export async function installStandins(host: RootShell): Promise<void> {
  const files = [
    ...['kubectl', 'helm'].map((tool) => ({ from: join(STANDIN_BIN, tool), to: `/usr/local/bin/${tool}`, mode: '0755' })),
    ...readdirSync(STANDIN_LIB)
      .filter((name) => name.endsWith('.py'))
      .map((name) => ({ from: join(STANDIN_LIB, name), to: `/usr/local/lib/ploy-standin/ploystandin/${name}`, mode: '0644' })),
  ];
  const script = files.map((f) => `echo ${readFileSync(f.from).toString('base64')} | base64 -d > ${f.to} && chmod ${f.mode} ${f.to}`);
  await host.sh(['mkdir -p /usr/local/lib/ploy-standin/ploystandin', ...script].join(' && '));
  await resetStandins(host);
}

/** Forget every object, release and logged call; the cluster answers again, through both kubeconfigs. */
export async function resetStandins(host: RootShell): Promise<void> {
  const kubeconfig = Buffer.from(KUBECONFIG_TEXT).toString('base64');
  await host.sh(
    [
      `rm -rf ${STANDIN_STATE} /root/.config/helm /root/.cache/helm && mkdir -m 0700 -p ${STANDIN_STATE}/kubectl/objects ${STANDIN_STATE}/helm`,
      `mkdir -p ${dirname(K3S_KUBECONFIG)} ${dirname(ROOT_KUBECONFIG)}`,
      `echo ${kubeconfig} | base64 -d > ${K3S_KUBECONFIG} && chmod 0600 ${K3S_KUBECONFIG} && cp ${K3S_KUBECONFIG} ${ROOT_KUBECONFIG}`,
      `echo ${SERVER} > ${STANDIN_STATE}/apiserver`,
    ].join(' && '),
  );
}

/** How a cluster can be missing on a fresh machine: no kubeconfig yet, or an API server that does not answer. */
export async function clusterAway(host: RootShell, how: 'no-kubeconfig' | 'server-down'): Promise<void> {
  await host.sh(how === 'no-kubeconfig' ? `rm -f ${K3S_KUBECONFIG} ${ROOT_KUBECONFIG}` : `: > ${STANDIN_STATE}/apiserver`);
}

/** Every call the stand-ins received so far, in order. */
export async function standinCalls(host: RootShell): Promise<StandinCall[]> {
  const text = await host.sh(`cat ${STANDIN_STATE}/calls.log 2>/dev/null || true`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StandinCall);
}

/** A call counter: the calls made since the previous look. */
export function callWatcher(host: RootShell): () => Promise<StandinCall[]> {
  let seen = 0;
  return async () => {
    const all = await standinCalls(host);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
}
