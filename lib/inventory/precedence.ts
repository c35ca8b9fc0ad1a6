import type { Vars } from '../vars.ts';
import { combineVars } from '../vars/merge.ts';
import { markSecrets } from '../vars/secrets.ts';
import type { InventoryGraph } from './graph.ts';

/** Variables read from group_vars/ and host_vars/, by group or host name. */
export interface VarsFiles {
  readonly groups: ReadonlyMap<string, Vars>;
  readonly hosts: ReadonlyMap<string, Vars>;
}

/**
 * A host's inventory variables, merged exactly as ansible-core's VariableManager does with its
 * default VARIABLE_PRECEDENCE and hash_behaviour=replace (a later layer replaces a top-level key
 * whole), lowest first:
 *   1. `all`'s vars written in the inventory file
 *   2. the host's other groups' vars written in the inventory file, in sort_groups order:
 *      by depth (parents before children), then ansible_group_priority, then name
 *   3. group_vars/all
 *   4. group_vars/<group> of the same groups, in the same order
 *   5. the host's vars written in the inventory file
 *   6. host_vars/<host>
 * So any group_vars/ file beats any group's vars written inline, even a deeper group's; within each
 * kind, all < parent < child. Verified against ansible-inventory (test/unit/inventory-ansible-parity).
 */
export function inventoryHostVars(graph: InventoryGraph, host: string, files: VarsFiles): Vars {
  const groups = graph.sortGroups(graph.groupsOfHost(host)).filter((g) => g !== 'all');
  const inline = (group: string): Vars => graph.groups.get(group)?.vars ?? {};
  const fromFile = (group: string): Vars => files.groups.get(group) ?? {};
  return markSecrets(combineVars(inline('all'), ...groups.map(inline), fromFile('all'), ...groups.map(fromFile), graph.hosts.get(host)?.vars ?? {}, files.hosts.get(host) ?? {}), [], host);
}

/** A group's own variables: inline in the inventory < group_vars/<group>. */
export function inventoryGroupVars(graph: InventoryGraph, group: string, files: VarsFiles): Vars {
  return markSecrets(combineVars(graph.groups.get(group)?.vars ?? {}, files.groups.get(group) ?? {}), [], graph.groups.get(group)?.at);
}
