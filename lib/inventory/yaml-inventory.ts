import { InputError } from '../errors.ts';
import { describeYamlValue, isMapping, type YamlPath, type YamlSource } from '../vars/yaml.ts';
import type { InventoryGraph } from './graph.ts';
import { expandHostEntry } from './host-range.ts';

const SECTIONS = ['hosts', 'children', 'vars'];

/**
 * Read one file in Ansible's YAML inventory format into the graph, as Ansible's yaml inventory
 * plugin does: top-level keys are groups (usually just `all`); a group holds `hosts` (name →
 * vars), `children` (name → group, nested to any depth) and `vars`; a string where a mapping of
 * names is expected names one entry. Where Ansible only warns (an unknown key, a group that is a
 * list), ploy stops with the file, line, column and YAML path: such a file is rarely what its
 * author meant.
 */
export function readYamlInventory(source: YamlSource, graph: InventoryGraph): void {
  const data = source.data;
  if (data === null || data === undefined) throw new InputError('the inventory is empty; expected a mapping such as "all: {hosts: ...}"', { file: source.file });
  if (!isMapping(data)) {
    throw new InputError(`an inventory must be a mapping of group names (usually "all:"), got ${describeYamlValue(data)}`, source.where([]));
  }
  for (const [name, group] of Object.entries(data)) readGroup(source, graph, name, group, [name]);
}

function readGroup(source: YamlSource, graph: InventoryGraph, name: string, data: unknown, path: YamlPath): void {
  const at = source.where(path);
  if (name.trim() === '') throw new InputError('a group name is empty', at);
  graph.group(name, at);
  if (data === null || data === undefined) return;
  if (!isMapping(data)) {
    throw new InputError(`group "${name}" must be a mapping with hosts, children or vars, got ${describeYamlValue(data)}`, at);
  }
  for (const [key, value] of Object.entries(data)) {
    const sectionAt = source.where([...path, key]);
    if (!SECTIONS.includes(key)) {
      throw new InputError(`unexpected key "${key}" in group "${name}": only hosts, children and vars are valid (a host goes under "hosts:", a group under "children:")`, sectionAt);
    }
    if (value === null || value === undefined) continue;
    const entries = typeof value === 'string' && key !== 'vars' ? { [value]: null } : value;
    if (!isMapping(entries)) {
      const hint = Array.isArray(value) && key !== 'vars' ? ` (write "${key}:" entries as "name:" lines, not "- name")` : '';
      throw new InputError(`"${key}" of group "${name}" must be a mapping, got ${describeYamlValue(value)}${hint}`, sectionAt);
    }
    const entryPath = (entry: string): YamlPath => (entries === value ? [...path, key, entry] : [...path, key]);
    if (key === 'vars') readGroupVars(graph, name, entries, (variable) => source.where(entryPath(variable)));
    if (key === 'children') {
      for (const [child, childData] of Object.entries(entries)) {
        readGroup(source, graph, child, childData, entryPath(child));
        graph.addChild(name, child, source.where(entryPath(child)));
      }
    }
    if (key === 'hosts') {
      for (const [entry, hostVars] of Object.entries(entries)) readHosts(source, graph, name, entry, hostVars, entryPath(entry));
    }
  }
}

function readGroupVars(graph: InventoryGraph, group: string, vars: Record<string, unknown>, whereOf: (name: string) => InputError['where']): void {
  const node = graph.group(group);
  for (const [name, value] of Object.entries(vars)) {
    if (name !== 'ansible_group_priority') {
      node.vars[name] = value;
      continue;
    }
    // Like Ansible, the priority orders groups and is not a variable of its own.
    const priority = typeof value === 'string' ? Number(value.trim()) : value;
    if (typeof priority !== 'number' || !Number.isInteger(priority)) {
      throw new InputError(`ansible_group_priority of group "${group}" must be a whole number, got ${describeYamlValue(value)}`, whereOf(name));
    }
    node.priority = priority;
  }
}

function readHosts(source: YamlSource, graph: InventoryGraph, group: string, entry: string, vars: unknown, path: YamlPath): void {
  const at = source.where(path);
  if (vars !== null && vars !== undefined && !isMapping(vars)) {
    throw new InputError(`vars of host "${entry}" in group "${group}" must be a mapping, got ${describeYamlValue(vars)}`, at);
  }
  const { names, port } = expandHostEntry(entry, at);
  for (const name of names) {
    const host = graph.host(name, at);
    graph.addHostToGroup(name, group);
    if (port !== undefined) host.vars.ansible_port = port;
    Object.assign(host.vars, vars ?? {});
  }
}
