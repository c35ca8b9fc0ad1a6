import { stringify } from 'yaml';
import { lazyPackage } from '../lazy.ts';
import { mask } from '../secret.ts';

const loadDiff = lazyPackage<typeof import('diff')>('diff', () => require('diff'));

/**
 * Helm values compared as Helm stores them (`helm get values -o json`): key order does not matter,
 * and "no values" is the same whether Helm says null or {}.
 */
export function sameValues(deployed: unknown, desired: unknown): boolean {
  return deepEqual(emptyAsNull(deployed), emptyAsNull(desired));
}

function emptyAsNull(values: unknown): unknown {
  return typeof values === 'object' && values !== null && !Array.isArray(values) && Object.keys(values).length === 0 ? null : (values ?? null);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && deepEqual(left[key], right[key]));
}

/** A copy with the value at each path replaced by '***' (where it exists). */
export function hideAt(value: unknown, paths: ReadonlyArray<ReadonlyArray<string | number>>): unknown {
  if (paths.length === 0) return value;
  const copy: unknown = structuredClone(value);
  for (const path of paths) {
    if (path.length === 0) return '***';
    let node = copy;
    for (const part of path.slice(0, -1)) {
      node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[part] : undefined;
    }
    const last = path[path.length - 1] as string | number;
    if (typeof node === 'object' && node !== null && last in node) (node as Record<string | number, unknown>)[last] = '***';
  }
  return copy;
}

/**
 * The values change as a YAML diff for --diff. Where the desired values hold a Secret, that spot
 * is hidden on both sides (the deployed value there may be an older secret no one registered).
 */
export function valuesDiff(release: string, deployed: unknown, desired: unknown, secretPaths: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const show = (values: unknown) => {
    const hidden = hideAt(emptyAsNull(values), secretPaths);
    return hidden === null ? '' : stringify(hidden, { lineWidth: 0 });
  };
  const patch = loadDiff().createTwoFilesPatch(`${release} values (deployed)`, `${release} values (desired)`, show(deployed), show(desired), '', '');
  return mask(patch.replace(/^(Index: .*\n)?=+\n/, ''));
}
