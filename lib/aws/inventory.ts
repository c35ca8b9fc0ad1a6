import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Document } from 'yaml';
import { PloyError } from '../errors.ts';
import type { ExistingInstance } from './model.ts';

export interface InventoryInput {
  readonly cluster: string;
  readonly region: string;
  readonly bastion: ExistingInstance;
  readonly servers: readonly ExistingInstance[];
  readonly loadBalancerDns: string;
  readonly privateKeyPath?: string;
}

type HostVars = Record<string, string>;

export interface InventoryDocument {
  all: {
    vars: HostVars;
    children: {
      bastion: { hosts: Record<string, HostVars> };
      k3s_servers: { hosts: Record<string, HostVars> };
      buildkit: { hosts: Record<string, HostVars> };
    };
  };
}

/**
 * Ansible's YAML inventory for the cluster: the bastion by public IP, the servers by private IP
 * through the bastion, buildkit on the third server by sorted name, the NLB name for tls-san.
 */
export function inventoryDocument(input: InventoryInput): InventoryDocument {
  const bastionIp = input.bastion.publicIp;
  if (!bastionIp) throw new PloyError(`bastion ${input.bastion.name} (${input.bastion.id}) has no public IP address; the servers cannot be reached through it`);
  const servers = [...input.servers].sort((a, b) => a.name.localeCompare(b.name));
  const serverHosts: Record<string, HostVars> = {};
  for (const server of servers) {
    if (!server.privateIp) throw new PloyError(`server ${server.name} (${server.id}) has no private IP address yet`);
    serverHosts[server.name] = { ansible_host: server.privateIp, private_ip: server.privateIp, ploy_jump_host: input.bastion.name };
  }
  const third = servers[2];
  return {
    all: {
      vars: {
        ansible_user: 'admin',
        ...(input.privateKeyPath ? { ansible_ssh_private_key_file: input.privateKeyPath } : {}),
        k3s_lb_dns: input.loadBalancerDns,
      },
      children: {
        bastion: { hosts: { [input.bastion.name]: { ansible_host: bastionIp } } },
        k3s_servers: { hosts: serverHosts },
        buildkit: { hosts: third ? { [third.name]: {} } : {} },
      },
    },
  };
}

export function renderInventory(input: InventoryInput): string {
  const doc = new Document(inventoryDocument(input));
  doc.commentBefore = ` Written by playbooks/provision.ts for cluster ${input.cluster} in ${input.region}; it is rewritten on every run.`;
  return doc.toString();
}

/** Write to a temporary name beside the target with its final mode, then rename over it. */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { mode, flag: 'wx' });
    await chmod(temp, mode); // the umask may have narrowed it
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new PloyError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
