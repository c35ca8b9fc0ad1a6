import { manifestText } from './manifest.ts';
import { apiGroup, describeOrigin, objectRef, type K8sObject, type LocatedObject, type ObjectOrigin } from './object.ts';
import { registerSecretObjectValues, toPlain } from './plain.ts';
import { schemaMessages } from './schema.ts';

/** An object ready to send: its shape checked, secrets revealed in `plain`. */
export interface PreparedObject extends LocatedObject {
  readonly plain: K8sObject;
}

export interface PreparedObjects {
  readonly objects: PreparedObject[];
  /** The manifest for kubectl's standard input (secrets revealed: never print it). */
  readonly text: string;
  /** Whether any value was a Secret or any object is a Secret: the text must never be shown. */
  readonly secretBearing: boolean;
}

/** Every problem found in a set of objects, one message each; the module turns it into its error. */
export class ObjectProblems extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('\n'));
  }
}

/** A namespace name: an RFC 1123 label. */
export const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface PrepareOptions {
  /** Validate against the Kubernetes schemas (default true). */
  readonly validate: boolean;
  /** The namespace given to kubectl (--namespace), which objects without one go to. */
  readonly namespace?: string | undefined;
}

/**
 * Check objects before anything runs: each is a mapping with apiVersion, kind and metadata.name;
 * no object appears twice; an object's namespace agrees with the namespace argument; and, unless
 * turned off, each satisfies its kind's schema. Throws ObjectProblems listing everything found.
 */
export function prepareObjects(candidates: ReadonlyArray<{ readonly value: unknown; readonly origin: ObjectOrigin }>, options: PrepareOptions): PreparedObjects {
  const messages: string[] = [];
  const prepared: PreparedObject[] = [];
  const seen = new Map<string, string>();
  let secretBearing = false;
  for (const { value, origin } of candidates) {
    const plain = toPlain(value);
    const where = (path: ReadonlyArray<string | number>) => {
      const at = describeOrigin(origin, path);
      return `${origin.source}${at ? `, ${at}` : ''}`;
    };
    const here = where([]);
    const shape = shapeProblems(plain.value, options.namespace);
    if (shape.length > 0 || plain.problems.length > 0) {
      for (const problem of shape) messages.push(`${describeCandidate(plain.value)} (${where(problem.path)}): ${problem.message}`);
      for (const problem of plain.problems) messages.push(`${describeCandidate(plain.value)} (${here}): ${problem}`);
      continue;
    }
    const object = plain.value as K8sObject;
    registerSecretObjectValues(object);
    secretBearing ||= plain.secretBearing || object.kind === 'Secret';
    const key = [apiGroup(object.apiVersion), object.kind, object.metadata.namespace ?? options.namespace ?? '', object.metadata.name].join('/');
    const first = seen.get(key);
    if (first !== undefined) messages.push(`${objectRef(object)} (${here}): is given twice (first in ${first})`);
    else seen.set(key, here);
    prepared.push({ object: value as K8sObject, origin, plain: object });
  }
  if (options.validate) messages.push(...schemaMessages(prepared.map((p) => ({ object: p.plain, origin: p.origin, plain: p.plain }))));
  if (messages.length > 0) throw new ObjectProblems(messages);
  if (prepared.length === 0) throw new ObjectProblems(['no Kubernetes objects to apply (the manifest is empty)']);
  return { objects: prepared, text: manifestText(prepared.map((p) => p.plain)), secretBearing };
}

interface ShapeProblem {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

function shapeProblems(value: unknown, namespace: string | undefined): ShapeProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: [], message: `must be a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}` }];
  }
  const object = value as Record<string, unknown>;
  const problems: ShapeProblem[] = [];
  const problem = (path: ReadonlyArray<string | number>, message: string) => problems.push({ path, message });
  if (typeof object.apiVersion !== 'string' || object.apiVersion === '') problem(['apiVersion'], 'field apiVersion is required (e.g. "v1", "apps/v1")');
  if (typeof object.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(object.kind)) problem(['kind'], `field kind must be a kind name such as "Deployment", got ${JSON.stringify(object.kind)}`);
  const metadata = object.metadata as Record<string, unknown> | undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    problem(['metadata'], 'field metadata with a name is required');
    return problems;
  }
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') problem(['metadata'], 'field metadata.name is required (ploy applies named objects; generateName is not supported)');
  else if (name.length > 253 || /[\s/\x00-\x1f]/.test(name)) problem(['metadata', 'name'], `field metadata.name ${JSON.stringify(name)} is not a valid object name`);
  else if (object.kind === 'Namespace' && (name.length > 63 || !NAMESPACE.test(name)))
    problem(['metadata', 'name'], `field metadata.name must be a namespace name (lowercase letters, digits and -), got ${JSON.stringify(name)}`);
  const own = metadata.namespace;
  if (own !== undefined && (typeof own !== 'string' || !NAMESPACE.test(own))) problem(['metadata', 'namespace'], `field metadata.namespace must be a namespace name, got ${JSON.stringify(own)}`);
  else if (own !== undefined && namespace !== undefined && own !== namespace)
    problem(['metadata', 'namespace'], `its metadata.namespace "${own}" differs from the namespace argument "${namespace}" (kubectl refuses that)`);
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) problem(['metadata', field], `field metadata.${field} must be a mapping of strings`);
    else for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') problem(['metadata', field, k], `field metadata.${field}.${k} must be a string, got ${typeof v} (quote it)`);
  }
  return problems;
}

/** "Deployment web/nginx" as far as the value tells, else "object". */
function describeCandidate(value: unknown): string {
  const object = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  if (typeof object !== 'object' || object === null) return 'object';
  const kind = typeof object.kind === 'string' && object.kind !== '' ? object.kind : 'object';
  const name = typeof object.metadata?.name === 'string' ? object.metadata.name : undefined;
  const ns = typeof object.metadata?.namespace === 'string' ? `${object.metadata.namespace}/` : '';
  return `${kind}${name ? ` ${ns}${name}` : ''}`;
}
