/**
 * The K3s servers as the bastion sees them: each one's private address (its `private_ip`, else its
 * `ansible_host`, as provision.ts writes them) for /etc/hosts and for the operator's kubeconfig.
 */
import { isIP } from 'node:net';
import { InputError, type Vars } from '../../lib/index.ts';

export interface Server {
  name: string;
  address: string;
}

export const SERVERS_GROUP = 'k3s_servers';

/**
 * The servers of the k3s_servers group, in inventory order (the first one is the first server),
 * each with its private address; bad input, naming the bastion and the variable, when one has none.
 */
export function k3sServers(names: readonly string[], varsOf: (name: string) => Vars, bastion: string): Server[] {
  if (names.length === 0) throw new InputError(`the bastion role needs the hosts of group "${SERVERS_GROUP}", which has none`, { host: bastion });
  return names.map((name) => ({ name, address: serverAddress(name, varsOf(name), bastion) }));
}

/** A server's private address from its variables (tested with `in`: hostvars throws on an unset one). */
export function serverAddress(name: string, vars: Vars, bastion: string): string {
  for (const variable of ['private_ip', 'ansible_host'] as const) {
    if (!(variable in vars)) continue;
    const value = vars[variable];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string' || isIP(value) === 0) {
      throw new InputError(`the bastion role needs k3s server ${name}'s private address for /etc/hosts and the kubeconfig, and its "${variable}" is not an IP address: ${JSON.stringify(value)}`, {
        host: bastion,
        field: variable,
      });
    }
    return value;
  }
  throw new InputError(`the bastion role needs k3s server ${name}'s private address: set its "private_ip" (or "ansible_host") in the inventory`, { host: bastion, field: 'private_ip' });
}

/** /etc/hosts lines, one per server: `ADDRESS NAME`. */
export function hostsBlock(servers: readonly Server[]): string {
  return servers.map((server) => `${server.address} ${server.name}`).join('\n');
}

/** https://HOST:6443, with an IPv6 address in brackets. */
export function apiServerUrl(host: string): string {
  return `https://${isIP(host) === 6 ? `[${host}]` : host}:6443`;
}
