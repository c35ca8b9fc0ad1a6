import { stringify } from 'yaml';
import { PloyError } from '../../lib/errors.ts';
import type { BedPlan } from './plan.ts';

/** A host key as ssh-keygen writes it: "<type> <base64> [comment]". */
export interface HostKeys {
  host: string;
  publicKeys: string[];
}

/** known_hosts lines "ADDRESS TYPE KEY" for every address of every host (the bastion has two). */
export function renderKnownHosts(plan: BedPlan, keys: readonly HostKeys[]): string {
  const lines: string[] = [];
  for (const host of plan.hosts) {
    const own = keys.find((k) => k.host === host.name);
    if (!own) throw new PloyError(`test bed: no host keys recorded for ${host.name}`);
    for (const key of own.publicKeys) {
      const [type, body] = key.trim().split(/\s+/);
      for (const address of [host.ip, host.privateIp]) if (address) lines.push(`${address} ${type} ${body}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export interface BedPaths {
  keyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
}

/**
 * An OpenSSH client config: `ssh -F FILE NAME` (or the address) logs in as root with the bed's key,
 * checks the bed's known_hosts, and reaches private hosts through the bastion.
 */
export function renderSshConfig(plan: BedPlan, paths: BedPaths): string {
  const blocks = plan.hosts.map((host) => {
    const lines = [`Host ${host.name} ${host.ip}`, `  HostName ${host.ip}`];
    if (host.jumpHost) lines.push(`  ProxyJump ${host.jumpHost}`);
    return lines.join('\n');
  });
  blocks.push(
    [
      'Host *',
      '  User root',
      `  IdentityFile "${paths.keyPath}"`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile "${paths.knownHostsPath}"`,
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  ConnectTimeout 10',
    ].join('\n'),
  );
  return `${blocks.join('\n\n')}\n`;
}

/**
 * The bed as an Ansible YAML inventory. Private hosts carry `ploy_jump_host: <bastion>`; the
 * `ansible_ssh_common_args: -F <ssh config>` lets Ansible itself use the bed unchanged.
 */
export function renderInventory(plan: BedPlan, paths: BedPaths): string {
  const hosts: Record<string, Record<string, string>> = {};
  for (const host of plan.hosts) {
    hosts[host.name] = { ansible_host: host.ip, ...(host.jumpHost ? { ploy_jump_host: host.jumpHost } : {}) };
  }
  const children: Record<string, { hosts: Record<string, Record<string, never>> }> = {};
  const members = (names: string[]) => Object.fromEntries(names.map((name) => [name, {}]));
  if (plan.bastion) children.bastion = { hosts: members([plan.bastion]) };
  const servers = plan.hosts.filter((h) => h.name !== plan.bastion).map((h) => h.name);
  if (servers.length > 0) children.servers = { hosts: members(servers) };
  const all = {
    vars: {
      ansible_user: 'root',
      ansible_ssh_private_key_file: paths.keyPath,
      ansible_ssh_common_args: `-F ${paths.sshConfigPath}`,
    },
    hosts,
    ...(Object.keys(children).length > 0 ? { children } : {}),
  };
  return stringify({ all });
}
