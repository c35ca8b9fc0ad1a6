import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, stringify, type Document, type Node } from 'yaml';

/**
 * YAML manifests as kubectl reads them. kubectl (sigs.k8s.io/yaml, go-yaml v2) reads YAML 1.1,
 * where `yes`, `on` and `0777` are not strings; ploy parses and prints with the same version, so a
 * manifest means the same to ploy's schema check as to kubectl, and ploy's output quotes those words.
 */
const YAML_VERSION = '1.1' as const;

/** One document (or one item of a `kind: List` document) of a manifest. */
export interface ManifestEntry {
  readonly value: unknown;
  /** 1-based document number. */
  readonly document: number;
  /** Path of the entry inside its document: [] or ['items', 3]. */
  readonly prefix: ReadonlyArray<string | number>;
  /** The line where a field under the entry starts (or the nearest enclosing field that exists). */
  readonly lineOf: (path: ReadonlyArray<string | number>) => number | undefined;
}

/** A YAML syntax error, with its position in the text. */
export class ManifestSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
  ) {
    super(`${line !== undefined ? `line ${line}${column !== undefined ? `, column ${column}` : ''}: ` : ''}${reason}`);
  }
}

/** Split a multi-document YAML text into entries; empty documents are skipped, `kind: List` is unwrapped. */
export function parseManifest(text: string): ManifestEntry[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { version: YAML_VERSION, lineCounter, prettyErrors: false });
  if (!Array.isArray(documents)) throw new ManifestSyntaxError('not a YAML document stream', undefined, undefined);
  const entries: ManifestEntry[] = [];
  documents.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const at = lineCounter.linePos(error.pos[0]);
      throw new ManifestSyntaxError(`${error.message.split('\n')[0]} (document ${index + 1})`, at.line, at.col);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    const lineAt = (path: ReadonlyArray<string | number>) => lineOfPath(doc, lineCounter, path);
    const list = value as { kind?: unknown; items?: unknown };
    if (list.kind === 'List' && Array.isArray(list.items)) {
      list.items.forEach((item: unknown, i) => {
        entries.push({ value: item, document: index + 1, prefix: ['items', i], lineOf: (path) => lineAt(['items', i, ...path]) });
      });
      return;
    }
    entries.push({ value, document: index + 1, prefix: [], lineOf: lineAt });
  });
  return entries;
}

/** The line of the deepest node along path that exists: a key's own line for map entries. */
function lineOfPath(doc: Document, lineCounter: LineCounter, path: ReadonlyArray<string | number>): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/**
 * Kinds that other objects may live in or be instances of go first. For a Namespace one apply
 * creates both; for a CRD it cannot (kubectl maps every object before applying any), so
 * kubectlApply applies a manifest's CRDs on their own first (crds.ts).
 */
const FIRST_KINDS = ['Namespace', 'CustomResourceDefinition'];

/** Objects (plain: secrets revealed) as one multi-document YAML text for kubectl's standard input. */
export function manifestText(objects: ReadonlyArray<{ readonly kind: string; readonly [field: string]: unknown }>): string {
  const rank = (kind: string) => {
    const i = FIRST_KINDS.indexOf(kind);
    return i === -1 ? FIRST_KINDS.length : i;
  };
  const ordered = objects.map((object, i) => ({ object, i })).sort((a, b) => rank(a.object.kind) - rank(b.object.kind) || a.i - b.i);
  return ordered.map(({ object }) => stringify(object, { version: YAML_VERSION, lineWidth: 0 })).join('---\n');
}
