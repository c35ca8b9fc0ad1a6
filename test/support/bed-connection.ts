/** Test-bed hosts as the connection code sees them: SSH specs and inventories (connection and module tests). */
import { InputError } from '../../lib/errors.ts';
import type { ConnectionSpec } from '../../lib/connection/spec.ts';
import type { Inventory, InventoryHost } from '../../lib/inventory/types.ts';
import type { Vars } from '../../lib/vars.ts';
import type { Testbed } from '../testbed/bed.ts';

/** A direct SSH spec for a bed host as `user`, with the bed's key. */
export function bedSpec(bed: Testbed, host: string, user = 'root', extra: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return {
    name: host,
    kind: 'ssh',
    endpoint: { address: bed.host(host).ip, port: 22, user, privateKeyFile: bed.keyPath },
    become: false,
    becomeUser: 'root',
    ...extra,
  };
}

/** The bed's hosts as an Inventory (as the bed's inventory.yml describes them), without the YAML loader. */
export function bedInventory(bed: Testbed, hostVars: Record<string, Vars> = {}): Inventory {
  const common: Vars = { ansible_user: 'root', ansible_ssh_private_key_file: bed.keyPath };
  const hosts = new Map<string, InventoryHost>(
    bed.hosts.map((h) => {
      const vars: Vars = { ...common, ansible_host: h.ip, ...(h.network === 'private' ? { ploy_jump_host: bastionOf(bed) } : {}), ...hostVars[h.name] };
      return [h.name, { name: h.name, groups: ['all'], vars }];
    }),
  );
  return {
    source: `${bed.dir}/inventory.yml`,
    hosts,
    groups: new Map(),
    select: () => [...hosts.keys()],
    host: (name) => {
      const host = hosts.get(name);
      if (!host) throw new InputError(`unknown host ${name}`);
      return host;
    },
  };
}

function bastionOf(bed: Testbed): string {
  const bastion = bed.hosts.find((h) => h.privateIp);
  if (!bastion) throw new Error('this bed has no bastion');
  return bastion.name;
}

/** Time an async call that must fail; the error and how long it took. */
export async function failure(fn: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    return { error: error as Error, ms: Date.now() - started };
  }
  throw new Error('expected a failure, but the call succeeded');
}
