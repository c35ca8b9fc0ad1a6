import { stringify } from 'yaml';
import { secret, type Secret } from '../../lib/index.ts';

export interface ServerConfigInput {
  /** The first server starts the cluster; the others join it at firstAddress. */
  first: boolean;
  firstAddress: string;
  nodeName: string;
  nodeIp: string;
  /** The token in the config: k3s_token, or for a joining server the first server's. */
  token?: Secret | undefined;
  /** Names and addresses for the API server's certificate, in order, each once. */
  tlsSan: readonly string[];
}

/**
 * /etc/rancher/k3s/config.yaml as one object, written once: `cluster-init: true` on the first
 * server, `server: https://<first>:6443` on the others; the token, when there is one, makes the
 * whole text a Secret.
 */
export function serverConfig(input: ServerConfigInput): string | Secret {
  const config: Record<string, unknown> = {
    ...(input.first ? { 'cluster-init': true } : { server: `https://${input.firstAddress}:6443` }),
    // String(): in the preflight the token is an unknown value that only turns into text.
    ...(input.token ? { token: String(input.token.reveal()) } : {}),
    'node-name': input.nodeName,
    'node-ip': input.nodeIp,
    'write-kubeconfig-mode': '0600',
    'tls-san': [...new Set(input.tlsSan)],
  };
  const text = `# Written by ploy (role k3s-server): K3s reads it when it starts.\n${stringify(config)}`;
  return input.token ? secret(text) : text;
}

/** registries.yaml for a private registry: its mirror entry and, when given, its credentials. */
export function registriesConfig(url: string, username?: string, password?: Secret): Secret | string {
  const host = new URL(url).host;
  const auth = username !== undefined && password !== undefined ? { auth: { username, password: password.reveal() } } : undefined;
  const text = stringify({ mirrors: { [host]: { endpoint: [url.replace(/\/+$/, '')] } }, ...(auth ? { configs: { [host]: auth } } : {}) });
  return auth ? secret(text) : text;
}
