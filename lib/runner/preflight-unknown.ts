import { inspect } from 'node:util';
import { isSecret } from '../secret.ts';

/**
 * In the preflight pass no task really runs, so the data a task would return is unknown. Role
 * code that reads it (`r.data.stdout.trim()`) gets UNKNOWN: a value whose every property and call
 * is UNKNOWN again and which turns into MARKER as a string. A later task whose arguments contain
 * it (or a string built from it) cannot be validated before the host is touched, so preflight
 * skips that one task instead of reporting a false error; tasks that do not depend on real data
 * are still validated.
 */
const MARKER = '\u0000ploy:unknown-until-the-task-runs\u0000';

const target = (): void => {};
export const UNKNOWN: unknown = new Proxy(target, {
  get(_target, key) {
    if (key === Symbol.toPrimitive) return () => MARKER;
    if (key === 'toString' || key === 'valueOf' || key === 'toJSON') return () => MARKER;
    if (key === inspect.custom) return () => '<unknown until the task runs>';
    if (typeof key === 'symbol' || key === 'then') return undefined;
    return UNKNOWN;
  },
  apply() {
    return UNKNOWN;
  },
});

/** The `data` of a preflight task result: every field is UNKNOWN. */
export function unknownData<R>(): Partial<R> {
  return new Proxy({} as Partial<R>, {
    get(_target, key) {
      if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
      return UNKNOWN;
    },
  });
}

/** Whether a value (module arguments, a host name) depends on data only a real task run gives. */
export function dependsOnUnknown(value: unknown, depth = 0, seen = new Set<unknown>()): boolean {
  if (value === UNKNOWN) return true;
  if (typeof value === 'string') return value.includes(MARKER);
  if (isSecret(value)) return value.reveal().includes(MARKER);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || depth > 8 || seen.has(value)) return false;
  seen.add(value);
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  return items.some((item) => dependsOnUnknown(item, depth + 1, seen));
}

/** A text built from UNKNOWN (a task name made from an earlier result), for display: the unknown parts as `<unknown>`. */
export function displayUnknown(text: string): string {
  return text.split(MARKER).join('<unknown>');
}
