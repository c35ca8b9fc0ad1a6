import type { Vars } from '../vars.ts';
import { markSecrets } from './secrets.ts';

/**
 * Merge variable layers, lowest precedence first. This is Ansible's default hash_behaviour=replace:
 * a later layer replaces a top-level key whole (a mapping is not deep-merged, a list not appended).
 */
export function combineVars(...layers: readonly Vars[]): Vars {
  return Object.assign({}, ...layers) as Vars;
}

/**
 * The variables a role sees on one host: role defaults < inventory (already merged by the inventory:
 * all < parent groups < child groups < host) < extra vars (-e), as in Ansible. Connection passwords
 * (ALWAYS_SECRET_VARS) are Secrets whichever layer set them.
 */
export function hostVars(defaults: Vars, inventoryHostVars: Vars, extraVars: Vars): Vars {
  return markSecrets(combineVars(defaults, inventoryHostVars, extraVars));
}
