import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InputError } from '../errors.ts';
import type { Vars } from '../vars.ts';
import { combineVars } from '../vars/merge.ts';
import { markSecrets } from '../vars/secrets.ts';
import { describeYamlValue, isMapping, readYamlFile } from '../vars/yaml.ts';

const EXTENSIONS = ['.yml', '.yaml', '.json'];

/**
 * The vars files of one group or host under `dir` (group_vars/ or host_vars/), found as Ansible's
 * host_group_vars plugin finds them: the first that exists of `NAME` (a file, or a directory read
 * recursively in sorted order, skipping hidden files and backups~), `NAME.yml`, `NAME.yaml`,
 * `NAME.json`.
 */
export async function findVarsFiles(dir: string, name: string): Promise<string[]> {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\')) return [];
  for (const candidate of ['', ...EXTENSIONS].map((ext) => join(dir, name + ext))) {
    const kind = await kindOf(candidate);
    if (kind === 'dir') return filesUnder(candidate);
    if (kind === 'file') return [candidate];
  }
  return [];
}

/** The merged variables of vars files, later files replacing earlier keys. Empty files count as {}. */
export async function loadVarsFiles(files: readonly string[]): Promise<Vars> {
  const layers: Vars[] = [];
  for (const file of files) {
    const source = await readYamlFile(file);
    if (source.data === null || source.data === undefined) continue;
    if (!isMapping(source.data)) {
      throw new InputError(`a vars file must hold a mapping of variable names to values, got ${describeYamlValue(source.data)}`, source.where([]));
    }
    if ('ansible_group_priority' in source.data) {
      // Ansible silently ignores it here; ploy says so rather than sort groups differently than asked.
      throw new InputError('ansible_group_priority only works in the inventory file itself, not in group_vars/', source.where(['ansible_group_priority']));
    }
    layers.push(markSecrets(source.data, [], { file }));
  }
  return combineVars(...layers);
}

/** Load `<baseDir>/<kind>/<name>...` for every name that has vars files. */
export async function loadVarsDir(baseDir: string, kind: 'group_vars' | 'host_vars', names: Iterable<string>): Promise<Map<string, Vars>> {
  const dir = join(baseDir, kind);
  const loaded = new Map<string, Vars>();
  if ((await kindOf(dir)) !== 'dir') return loaded;
  for (const name of names) {
    const files = await findVarsFiles(dir, name);
    if (files.length) loaded.set(name, await loadVarsFiles(files));
  }
  return loaded;
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const path = join(dir, entry);
    const ext = extname(entry);
    const kind = await kindOf(path);
    if (kind === 'dir' && !ext) found.push(...(await filesUnder(path)));
    else if (kind === 'file' && (!ext || EXTENSIONS.includes(ext))) found.push(path);
  }
  return found;
}

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}
