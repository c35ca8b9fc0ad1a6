/**
 * The operator's kubeconfig, made from the one K3s writes on the first server: K3s points it at
 * itself (https://127.0.0.1:6443), which from the bastion must become the server's private address
 * or the API's name. Everything else (CA, client certificate and key) is kept byte for byte.
 */

export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';
export const K3S_LOCAL_SERVER = 'https://127.0.0.1:6443';

const SERVER_LINE = /^(\s*server:\s*)(["']?)https:\/\/127\.0\.0\.1:6443\2(\s*)$/;

export class KubeconfigShapeError extends Error {}

/** k3s.yaml with each `server: https://127.0.0.1:6443` line pointed at `server` instead. */
export function operatorKubeconfig(k3sYaml: string, server: string): string {
  let replaced = 0;
  const lines = k3sYaml.split('\n').map((line) => {
    const match = SERVER_LINE.exec(line);
    if (!match) return line;
    replaced++;
    return `${match[1]}${server}${match[3]}`;
  });
  if (replaced === 0) {
    const found = k3sYaml
      .split('\n')
      .filter((line) => /^\s*server:/.test(line))
      .map((line) => line.trim());
    throw new KubeconfigShapeError(
      `${K3S_KUBECONFIG} has no "server: ${K3S_LOCAL_SERVER}" line to point at ${server}` +
        (found.length ? ` (it has: ${found.join(', ')})` : ' (it has no server line at all)') +
        '; K3s writes that line when it starts, so this file was written by something else',
    );
  }
  return lines.join('\n');
}
