import { isSecret, registerSecret } from '../secret.ts';
import { fieldPath } from './object.ts';

/** An object's JSON form with its Secrets revealed (what kubectl receives), and whether it held any. */
export interface PlainValue {
  readonly value: unknown;
  readonly secretBearing: boolean;
  /** Where the Secrets were, so a display of the value can hide them there. */
  readonly secretPaths: ReadonlyArray<ReadonlyArray<string | number>>;
  /** What in the value cannot be sent to Kubernetes (a function, a Date, an undefined list item). */
  readonly problems: string[];
}

/** Reveal every Secret in a value and refuse anything that is not JSON data; paths in messages start at root. */
export function toPlain(value: unknown, root: ReadonlyArray<string | number> = []): PlainValue {
  const state: WalkState = { secretBearing: false, secretPaths: [], problems: [], ancestors: new Set() };
  const plain = walk(value, [...root], state);
  return { value: plain, secretBearing: state.secretBearing, secretPaths: state.secretPaths, problems: state.problems };
}

interface WalkState {
  secretBearing: boolean;
  secretPaths: Array<Array<string | number>>;
  problems: string[];
  /** Objects on the path from the root: meeting one again is a cycle. */
  ancestors: Set<object>;
}

function walk(value: unknown, path: Array<string | number>, state: WalkState): unknown {
  if (isSecret(value)) {
    state.secretBearing = true;
    state.secretPaths.push(path);
    return value.reveal();
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    state.problems.push(`field ${fieldPath(path)} is ${value}, which JSON cannot carry`);
    return null;
  }
  if (typeof value === 'object' && state.ancestors.has(value)) {
    state.problems.push(`field ${fieldPath(path)} refers back to an enclosing object (a cycle)`);
    return null;
  }
  if (Array.isArray(value)) {
    state.ancestors.add(value);
    const items = value.map((item: unknown, i) => {
      if (item === undefined) state.problems.push(`field ${fieldPath([...path, i])} is undefined`);
      return walk(item, [...path, i], state);
    });
    state.ancestors.delete(value);
    return items;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      state.problems.push(
        `field ${fieldPath(path) || '(the object)'} is a ${(value as object).constructor?.name ?? 'class instance'}, not plain data (use strings, numbers, booleans, lists, objects or Secrets)`,
      );
      return null;
    }
    state.ancestors.add(value);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = walk(item, [...path, key], state);
    }
    state.ancestors.delete(value);
    return out;
  }
  state.problems.push(`field ${fieldPath(path) || '(the object)'} is a ${typeof value}, not data`);
  return null;
}

/**
 * A Secret object's values are secrets wherever they show up later (kubectl's stderr, a diff):
 * remember data values in both their base64 and decoded forms, stringData values in both too.
 */
export function registerSecretObjectValues(object: { kind?: unknown; apiVersion?: unknown; data?: unknown; stringData?: unknown }): void {
  if (object.kind !== 'Secret' || object.apiVersion !== 'v1') return;
  for (const [field, encoded] of [
    ['data', true],
    ['stringData', false],
  ] as const) {
    const map = object[field];
    if (typeof map !== 'object' || map === null) continue;
    for (const item of Object.values(map)) {
      if (typeof item !== 'string') continue;
      registerSecret(item);
      if (!encoded) {
        registerSecret(Buffer.from(item, 'utf8').toString('base64'));
        continue;
      }
      const decoded = Buffer.from(item, 'base64');
      if (decoded.toString('base64') === item.replace(/\s+/g, '')) registerSecret(decoded.toString('utf8'));
    }
  }
}
