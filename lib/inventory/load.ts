import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.ts';
import { parseYaml, readYamlFile, type YamlSource } from '../vars/yaml.ts';
import { InventoryGraph } from './graph.ts';
import { createInventory } from './inventory.ts';
import type { Inventory } from './types.ts';
import { loadVarsDir } from './vars-files.ts';
import { readYamlInventory } from './yaml-inventory.ts';

/**
 * Load an inventory in Ansible's YAML format, with the group_vars/ and host_vars/ beside it. `path`
 * is a file, or a directory whose *.yml and *.yaml files are read in name order as one inventory
 * (group_vars/ and host_vars/ then live inside that directory, as Ansible has it).
 */
export async function loadInventory(path: string): Promise<Inventory> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`inventory not found (${error.code ?? error.message})`, { file: path }, { cause: error });
  });
  const isDir = info.isDirectory();
  const files = isDir ? await inventoryFilesIn(path) : [path];
  if (files.length === 0) throw new InputError('no *.yml or *.yaml inventory file in this directory', { file: path });
  const sources: YamlSource[] = [];
  for (const file of files) sources.push(await readYamlFile(file));
  const graph = graphOf(sources);
  const baseDir = isDir ? path : dirname(path);
  return createInventory(path, graph, {
    groups: await loadVarsDir(baseDir, 'group_vars', graph.groups.keys()),
    hosts: await loadVarsDir(baseDir, 'host_vars', graph.hosts.keys()),
  });
}

/** An inventory from YAML text alone (no group_vars/ or host_vars/): for tests and generated inventories. */
export function inventoryFromYaml(text: string, label = '<inventory>'): Inventory {
  return createInventory(label, graphOf([parseYaml(text, label)]), { groups: new Map(), hosts: new Map() });
}

function graphOf(sources: readonly YamlSource[]): InventoryGraph {
  const graph = new InventoryGraph();
  for (const source of sources) readYamlInventory(source, graph);
  graph.finish();
  return graph;
}

async function inventoryFilesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.') && /\.ya?ml$/.test(name)).sort();
  const files: string[] = [];
  for (const name of names) {
    if ((await stat(join(dir, name))).isFile()) files.push(join(dir, name));
  }
  return files;
}
