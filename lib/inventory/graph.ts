import { InputError } from '../errors.ts';
import type { Vars } from '../vars.ts';

export type Where = NonNullable<InputError['where']>;

export interface GroupNode {
  readonly name: string;
  /** Direct children, first-seen order. */
  readonly children: string[];
  readonly parents: Set<string>;
  /** Hosts listed directly under this group, first-seen order. */
  readonly hosts: string[];
  /** Vars written in the inventory file itself (not group_vars/). */
  readonly vars: Vars;
  /** ansible_group_priority: among groups of the same depth, the higher one wins. */
  priority: number;
  at?: Where;
}

export interface HostNode {
  readonly name: string;
  /** Groups listing the host directly. */
  readonly groups: Set<string>;
  /** Vars written inline in the inventory file (not host_vars/). */
  readonly vars: Vars;
  /** Position of first appearance: "inventory order". */
  readonly order: number;
  at?: Where;
}

/**
 * The group/host graph as Ansible's InventoryData builds it: `all` and `ungrouped` always exist,
 * groups form a DAG (a cycle is an error), a host may be in many groups. Call finish() once after
 * every source is read.
 */
export class InventoryGraph {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();
  private depths = new Map<string, number>();

  constructor() {
    this.group('all');
    this.group('ungrouped');
    this.addChild('all', 'ungrouped', {});
  }

  group(name: string, at?: Where): GroupNode {
    let node = this.groups.get(name);
    if (!node) {
      node = { name, children: [], parents: new Set(), hosts: [], vars: {}, priority: 1, ...(at ? { at } : {}) };
      this.groups.set(name, node);
    }
    return node;
  }

  host(name: string, at?: Where): HostNode {
    let node = this.hosts.get(name);
    if (!node) {
      node = { name, groups: new Set(), vars: {}, order: this.hosts.size, ...(at ? { at } : {}) };
      this.hosts.set(name, node);
    }
    return node;
  }

  addChild(parent: string, child: string, at: Where): void {
    if (child === 'all') throw new InputError(`group "all" cannot be a child of group "${parent}"`, at);
    if (child === parent) throw new InputError(`group "${child}" cannot be a child of itself`, at);
    if (this.descendants(child).has(parent)) {
      throw new InputError(`adding group "${child}" as a child of "${parent}" makes a cycle (${parent} is already under ${child})`, at);
    }
    const parentNode = this.group(parent);
    if (!parentNode.children.includes(child)) parentNode.children.push(child);
    this.group(child).parents.add(parent);
  }

  addHostToGroup(host: string, group: string): void {
    const hostNode = this.host(host);
    if (hostNode.groups.has(group)) return;
    hostNode.groups.add(group);
    this.group(group).hosts.push(host);
  }

  /** Ansible's reconcile_inventory, then ploy's own checks. */
  finish(): void {
    for (const group of this.groups.values()) {
      if (group.name !== 'all' && group.parents.size === 0) this.addChild('all', group.name, {});
    }
    const all = this.group('all');
    const ungrouped = this.group('ungrouped');
    for (const host of this.hosts.values()) {
      const named = [...host.groups].filter((g) => g !== 'all' && g !== 'ungrouped');
      if (named.length === 0) this.addHostToGroup(host.name, 'ungrouped');
      else if (host.groups.delete('ungrouped')) ungrouped.hosts.splice(ungrouped.hosts.indexOf(host.name), 1);
      if (host.groups.delete('all')) all.hosts.splice(all.hosts.indexOf(host.name), 1);
    }
    this.checkHostGroupNames();
    this.depths.clear();
  }

  /** Longest path from `all` (0), as Ansible's Group.depth. */
  depth(group: string): number {
    const known = this.depths.get(group);
    if (known !== undefined) return known;
    const parents = [...(this.groups.get(group)?.parents ?? [])];
    const depth = parents.length === 0 ? 0 : Math.max(...parents.map((p) => this.depth(p) + 1));
    this.depths.set(group, depth);
    return depth;
  }

  /** Ansible's sort_groups: by depth, then ansible_group_priority, then name. */
  sortGroups(names: Iterable<string>): string[] {
    const key = (name: string): [number, number, string] => [this.depth(name), this.groups.get(name)?.priority ?? 1, name];
    return [...names].sort((a, b) => {
      const [da, pa, na] = key(a);
      const [db, pb, nb] = key(b);
      return da - db || pa - pb || (na < nb ? -1 : na > nb ? 1 : 0);
    });
  }

  /** The group and every group under it. */
  descendants(group: string): Set<string> {
    const seen = new Set<string>();
    const visit = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const child of this.groups.get(name)?.children ?? []) visit(child);
    };
    visit(group);
    return seen;
  }

  /** The groups a host is in, directly or through a child group; `all` included. */
  groupsOfHost(host: string): Set<string> {
    const found = new Set<string>();
    const climb = (group: string): void => {
      if (found.has(group)) return;
      found.add(group);
      for (const parent of this.groups.get(group)?.parents ?? []) climb(parent);
    };
    for (const group of this.hosts.get(host)?.groups ?? []) climb(group);
    climb('all');
    return found;
  }

  /** Hosts of a group or of any group under it, in inventory order. */
  hostsOfGroup(group: string): string[] {
    if (group === 'all') return [...this.hosts.keys()];
    const names = new Set<string>();
    for (const name of this.descendants(group)) for (const host of this.groups.get(name)?.hosts ?? []) names.add(host);
    return [...names].sort((a, b) => (this.hosts.get(a)?.order ?? 0) - (this.hosts.get(b)?.order ?? 0));
  }

  /**
   * A name that is both a host and a group would make the pattern "name" mean two things (Ansible
   * picks the host at the top level and the group after & or !). Allowed only when the group holds
   * exactly that host, the common `bastion: {hosts: {bastion: ...}}`.
   */
  private checkHostGroupNames(): void {
    for (const group of this.groups.values()) {
      if (!this.hosts.has(group.name)) continue;
      const members = this.hostsOfGroup(group.name);
      if (members.length === 1 && members[0] === group.name) continue;
      const others = members.filter((h) => h !== group.name);
      throw new InputError(
        `"${group.name}" is both a host and a group holding ${others.length ? `other hosts (${others.join(', ')})` : 'no such host'}; ` +
          'the host pattern would be ambiguous, rename the group or the host',
        group.at ?? this.hosts.get(group.name)?.at,
      );
    }
  }
}
