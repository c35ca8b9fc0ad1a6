import { InputError } from '../errors.ts';
import type { Vars } from '../vars.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the runner itself gives every host (host-vars.ts) or reads to connect. */
const RESERVED = new Set(['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups', 'hostvars', 'ploy_jump_host']);

/**
 * Values set on hosts during a run (Ansible's set_fact), kept for the rest of the run. They rank
 * above the inventory and below -e (host-vars.ts). Values are kept as given: a Secret stays a Secret.
 */
export class FactStore {
  readonly #facts = new Map<string, Map<string, unknown>>();

  set(host: string, name: string, value: unknown, where: { role: string; task?: string }): void {
    checkFactName(name, host, where.role);
    let facts = this.#facts.get(host);
    if (!facts) this.#facts.set(host, (facts = new Map()));
    facts.set(name, value);
  }

  /** The facts set on a host so far. */
  of(host: string): Vars {
    return Object.fromEntries(this.#facts.get(host) ?? []);
  }
}

/** A fact may not pass for a connection or magic variable: ansible_host set by a role would be ignored or worse. */
export function checkFactName(name: unknown, host: string, role: string): void {
  const where = { host, field: 'setFact' };
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InputError(`role ${role}: a fact's name must be an identifier (letters, digits, _), got ${JSON.stringify(name)}`, where);
  }
  if (name.startsWith('ansible_') || RESERVED.has(name)) {
    throw new InputError(`role ${role}: fact "${name}" would shadow a connection or magic variable; choose another name`, where);
  }
}
