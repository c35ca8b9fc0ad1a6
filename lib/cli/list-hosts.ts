import type { Inventory } from '../inventory/types.ts';
import type { Play } from '../role.ts';
import { planHosts, selectRoles } from '../runner/select.ts';

export interface ListedRole {
  name: string;
  /** The role's host pattern. */
  pattern: string;
  /** Its hosts after --limit, in inventory order. */
  hosts: string[];
}

/** Each role of the play (or those named by --role) with the hosts it would run on. */
export function listRoleHosts(play: Play, inventory: Inventory, options: { limit?: string; roles?: readonly string[] }): ListedRole[] {
  return planHosts(inventory, selectRoles(play, options.roles), options.limit).map((plan) => ({
    name: plan.role.name,
    pattern: plan.role.hosts,
    hosts: plan.hosts,
  }));
}

/** Ansible's --list-hosts layout, one block per role. */
export function formatHostList(playName: string, roles: readonly ListedRole[]): string {
  const lines = [`playbook: ${playName}`];
  roles.forEach((role, i) => {
    lines.push('', `  role #${i + 1} (${role.pattern}): ${role.name}`, `    hosts (${role.hosts.length}):`, ...role.hosts.map((h) => `      ${h}`));
  });
  return `${lines.join('\n')}\n`;
}
