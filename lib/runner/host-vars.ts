import type { Vars } from '../vars.ts';
import { hostVars } from '../vars/merge.ts';

/**
 * A host's variables for one role: role defaults < inventory vars (already merged all < groups <
 * host by the inventory) < extra vars, each level replacing whole top-level keys (Ansible's
 * hash_behaviour=replace); connection passwords become Secrets whichever level set them.
 */
export function roleHostVars(defaults: Vars, inventoryVars: Vars, extraVars: Vars): Vars {
  return hostVars(defaults, inventoryVars, extraVars);
}

/** A variable counts as set unless it is missing, undefined or null (an empty YAML value). */
export function isSet(vars: Vars, name: string): boolean {
  return vars[name] !== undefined && vars[name] !== null;
}
