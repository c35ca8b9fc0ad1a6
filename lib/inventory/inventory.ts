import { InputError } from '../errors.ts';
import type { Inventory, InventoryGroup, InventoryHost } from './types.ts';
import type { InventoryGraph } from './graph.ts';
import { selectHosts, type PatternScope } from './host-pattern.ts';
import { inventoryGroupVars, inventoryHostVars, type VarsFiles } from './precedence.ts';

/** Freeze a finished graph and its vars files into the Inventory contract (lib/inventory/types.ts). */
export function createInventory(source: string, graph: InventoryGraph, files: VarsFiles): Inventory {
  const groups = new Map<string, InventoryGroup>();
  for (const group of graph.groups.values()) {
    groups.set(group.name, {
      name: group.name,
      children: [...group.children],
      hosts: graph.hostsOfGroup(group.name),
      vars: inventoryGroupVars(graph, group.name, files),
    });
  }
  const hosts = new Map<string, InventoryHost>();
  for (const name of graph.hosts.keys()) {
    hosts.set(name, { name, groups: graph.sortGroups(graph.groupsOfHost(name)), vars: inventoryHostVars(graph, name, files) });
  }
  const scope: PatternScope = {
    source,
    hostNames: [...hosts.keys()],
    groupNames: [...groups.keys()],
    hostsOfGroup: (group) => groups.get(group)?.hosts ?? [],
  };
  return {
    source,
    hosts,
    groups,
    select: (pattern) => selectHosts(scope, pattern),
    host(name) {
      const host = hosts.get(name);
      if (!host) throw new InputError(`no host "${name}" in ${source}`);
      return host;
    },
  };
}
