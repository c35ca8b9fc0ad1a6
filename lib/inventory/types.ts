import type { Vars } from '../vars.ts';

export interface InventoryHost {
  readonly name: string;
  /** Every group the host is in, "all" and ancestors included, in precedence order (all first). */
  readonly groups: readonly string[];
  /** The host's variables merged as Ansible does: all < parent groups < child groups < host_vars. */
  readonly vars: Vars;
}

export interface InventoryGroup {
  readonly name: string;
  /** Direct children group names. */
  readonly children: readonly string[];
  /** Every host in the group or any descendant, in inventory order. */
  readonly hosts: readonly string[];
  readonly vars: Vars;
}

export interface Inventory {
  /** The file it was read from (for messages). */
  readonly source: string;
  readonly hosts: ReadonlyMap<string, InventoryHost>;
  readonly groups: ReadonlyMap<string, InventoryGroup>;
  /**
   * Host names matching an Ansible host pattern: names, groups, globs (web*), unions (a:b or a,b),
   * intersections (a:&b) and exclusions (a:!b). Throws InputError naming an unknown host or group.
   */
  select(pattern: string): string[];
  host(name: string): InventoryHost;
}
