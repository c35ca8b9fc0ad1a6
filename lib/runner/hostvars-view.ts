import { PloyError } from '../errors.ts';
import type { Vars } from '../vars.ts';

/** A role read a variable of another host that nothing has set (Ansible: "'dict object' has no attribute"). */
export class UnsetHostVarError extends PloyError {}

/** Keys that JavaScript itself looks up on any object (await, JSON, inspection): never an error. */
const LANGUAGE_KEYS = new Set(['then', 'toJSON', 'constructor', 'asymmetricMatch', 'nodeType', '$$typeof']);

/**
 * Another host's variables as a role reads them: a variable that neither the inventory, -e, the
 * role's defaults nor a fact set so far defines is `missing(name)` (an error in a real run, "not
 * known yet" in the preflight) instead of a silent undefined. `name in view` tests without reading.
 */
export function hostvarsView(vars: Vars, missing: (name: string) => unknown): Vars {
  return new Proxy(vars, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target || LANGUAGE_KEYS.has(key)) return Reflect.get(target, key, receiver) as unknown;
      return missing(key);
    },
  });
}

/** The error of a real run, naming the host read, the fact, and who read it. */
export function unsetHostVar(host: string, name: string, reader: { role: string; host: string }): never {
  throw new UnsetHostVarError(
    `role ${reader.role} on ${reader.host} read hostvars("${host}").${name}, which is not set: no task has set that fact on ${host} ` +
      `(t.setFact) so far, and neither the inventory, -e nor the role's defaults define it`,
  );
}
