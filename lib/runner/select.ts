import { InputError } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Play, Role } from '../role.ts';

export interface RolePlan {
  role: Role;
  /** select(role.hosts) ∩ select(limit), in inventory order. */
  hosts: string[];
}

/** The play's roles in play order, only those named by --role when given. */
export function selectRoles(play: Play, names: readonly string[] | undefined): Role[] {
  if (!names || names.length === 0) return [...play.roles];
  const known = play.roles.map((role) => role.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new InputError(`--role ${unknown.join(', ')}: no such role in play "${play.name}"; its roles are: ${known.join(', ')}`, { field: 'role' });
  }
  return play.roles.filter((role) => names.includes(role.name));
}

/** Each role's hosts after --limit. A role's bad host pattern is an InputError naming the role. */
export function planHosts(inventory: Inventory, roles: readonly Role[], limit: string | undefined): RolePlan[] {
  const limited = limit === undefined ? undefined : new Set(inventory.select(limit));
  return roles.map((role) => {
    let hosts: string[];
    try {
      hosts = inventory.select(role.hosts);
    } catch (error) {
      if (error instanceof InputError) throw new InputError(`role ${role.name}: hosts "${role.hosts}": ${error.reason}`, { ...error.where, field: 'hosts' }, { cause: error });
      throw error;
    }
    return { role, hosts: limited ? hosts.filter((host) => limited.has(host)) : hosts };
  });
}

/** Every host of the plan, once, in inventory order. */
export function playHosts(inventory: Inventory, plans: readonly RolePlan[]): string[] {
  const wanted = new Set(plans.flatMap((plan) => plan.hosts));
  return [...inventory.hosts.keys()].filter((host) => wanted.has(host));
}
