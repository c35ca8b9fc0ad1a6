import type { ErrorObject } from 'ajv';
import { describeOrigin, fieldPath, objectRef, type LocatedObject } from './object.ts';
import { validatorFor } from './schema-registry.ts';

/** One schema violation, in words: which field and what is wrong with it. */
export interface SchemaProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

/** At most this many problems are listed per object; the rest are counted. */
const SHOWN = 5;

export type SchemaVerdict = { readonly known: false } | { readonly known: true; readonly problems: SchemaProblem[] };

/** Validate one plain (secrets revealed) object against its kind's schema. */
export function checkSchema(object: { apiVersion: string; kind: string }): SchemaVerdict {
  const validator = validatorFor(object.apiVersion, object.kind);
  if (!validator) return { known: false };
  const redact = object.kind === 'Secret' && object.apiVersion === 'v1' ? (path: ReadonlyArray<string | number>) => path[0] === 'data' || path[0] === 'stringData' : undefined;
  return { known: true, problems: describeErrors(validator(object), object, redact) };
}

/**
 * Every schema problem of every object, one message each, naming the object, where it is in the
 * manifest and the bad field. An object whose kind has no known schema is a problem too: the caller
 * may turn validation off for custom resources we carry no schema for.
 */
export function schemaMessages(objects: ReadonlyArray<LocatedObject & { readonly plain: { apiVersion: string; kind: string } }>): string[] {
  const messages: string[] = [];
  for (const { object, origin, plain } of objects) {
    const verdict = checkSchema(plain);
    const where = (path: ReadonlyArray<string | number>) => {
      const at = describeOrigin(origin, path);
      return `${objectRef(object)} (${origin.source}${at ? `, ${at}` : ''})`;
    };
    if (!verdict.known) {
      messages.push(`${where([])}: no schema is known for apiVersion ${object.apiVersion}, kind ${object.kind} (set validate: false to apply it unchecked)`);
      continue;
    }
    const shown = verdict.problems.slice(0, SHOWN);
    for (const problem of shown) messages.push(`${where(problem.path)}: ${problem.message}`);
    if (verdict.problems.length > SHOWN) messages.push(`${where([])}: and ${verdict.problems.length - SHOWN} more schema problems`);
  }
  return messages;
}

/** Turn ajv's errors into one sentence per field: alternatives of a oneOf merge into "must be string or integer". */
export function describeErrors(errors: readonly ErrorObject[], root: unknown, redact?: (path: ReadonlyArray<string | number>) => boolean): SchemaProblem[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }
  const problems: SchemaProblem[] = [];
  for (const [pointer, list] of byPath) {
    const path = parsePointer(pointer);
    const field = fieldPath(path) || '(the object)';
    const value = redact?.(path) ? REDACTED : valueAt(root, path);
    for (const error of list.filter((e) => e.keyword === 'required')) {
      const missing = String((error.params as { missingProperty?: string }).missingProperty);
      problems.push({ path: [...path, missing], message: `field ${fieldPath([...path, missing])} is required` });
    }
    for (const error of list.filter((e) => e.keyword === 'additionalProperties')) {
      const extra = String((error.params as { additionalProperty?: string }).additionalProperty);
      problems.push({ path: [...path, extra], message: `field ${fieldPath([...path, extra])} is not a field of this kind` });
    }
    const types = [...new Set(list.filter((e) => e.keyword === 'type').map((e) => String((e.params as { type?: string }).type)))];
    if (types.length > 0) problems.push({ path, message: `field ${field} must be ${types.join(' or ')}, got ${describeValue(value)}` });
    for (const error of list.filter((e) => e.keyword === 'enum')) {
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      problems.push({ path, message: `field ${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}` });
    }
    for (const error of list.filter((e) => e.keyword === 'format')) {
      const format = String((error.params as { format?: string }).format);
      problems.push({ path, message: `field ${field} must be ${format === 'byte' ? 'base64-encoded (format "byte")' : `in format "${format}"`}, got ${describeValue(value)}` });
    }
    const handled = new Set(['required', 'additionalProperties', 'type', 'enum', 'format']);
    const alternatives = new Set(['oneOf', 'anyOf']);
    for (const error of list) {
      if (handled.has(error.keyword)) continue;
      if (alternatives.has(error.keyword) && types.length > 0) continue;
      problems.push({ path, message: `field ${field} ${error.message ?? `fails the schema's ${error.keyword} rule`}` });
    }
  }
  return problems;
}

/** JSON pointer ("/spec/containers/0/image") to a path; digits index arrays. */
function parsePointer(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let node = root;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** Stands for a value that must not be shown (a Secret's data). */
const REDACTED = Symbol('redacted');

function describeValue(value: unknown): string {
  if (value === REDACTED) return 'a value that is not shown (secret data)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}
