import type { InventoryHost } from '../inventory/types.ts';
import type { Vars } from '../vars.ts';
import { hostVars } from '../vars/merge.ts';

/**
 * A host's variables for one role: role defaults < inventory vars (already merged all < groups <
 * host by the inventory) < facts set on the host in this run < extra vars, each level replacing
 * whole top-level keys (Ansible's hash_behaviour=replace); connection passwords become Secrets
 * whichever level set them.
 */
export function roleHostVars(defaults: object, host: InventoryHost, extraVars: Vars, facts: Vars = {}): Vars {
  return { ...hostVars(defaults as Vars, { ...host.vars, ...facts }, extraVars), ...magicVars(host) };
}

/** Ansible's per-host magic variables, which templates written for Ansible expect. */
function magicVars(host: InventoryHost): Vars {
  return {
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split('.')[0],
    group_names: host.groups.filter((g) => g !== 'all' && g !== 'ungrouped').sort(),
  };
}

/** A variable counts as set unless it is missing, undefined or null (an empty YAML value). */
export function isSet(vars: Vars, name: string): boolean {
  return vars[name] !== undefined && vars[name] !== null;
}
