import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type ScalarTag, type Tags } from 'yaml';
import { InputError } from '../errors.ts';
import { Secret } from '../secret.ts';

/** A place in a YAML file, as InputError takes it; field is the YAML path, e.g. all.children.web. */
export interface YamlWhere {
  file: string;
  line?: number;
  column?: number;
  field?: string;
}

/** Keys and sequence indexes from the document root, e.g. ['all', 'children', 'web']. */
export type YamlPath = readonly (string | number)[];

/** A parsed YAML file: its plain JS data, and where each key of it was written. */
export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** File, YAML path, and line and column of the key at path (or of its nearest ancestor found). */
  where(path: YamlPath): YamlWhere;
}

/** `!secret "value"` makes a Secret: it prints as *** everywhere (lib/secret.ts). */
const secretTag: ScalarTag = {
  tag: '!secret',
  identify: (value) => value instanceof Secret,
  resolve: (value) => new Secret(value),
};

/** Ansible Vault needs the vault password and cipher; ploy refuses it clearly instead of using ciphertext. */
const vaultTag: ScalarTag = {
  tag: '!vault',
  resolve: (value, onError) => {
    onError('Ansible Vault values are not supported by ploy; use !secret "value" or pass it with -e @file');
    return value;
  },
};

/** Ansible's "do not template this" marker; ploy does not template variables, so it is a plain string. */
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (value) => value };

/*
 * PyYAML's YAML 1.1 resolvers, which Ansible uses: yes/no/on/off are booleans but y/n are not,
 * 0644 is octal, 22:30 is sexagesimal, 08 and 1e3 stay strings (a float needs a dot and a signed
 * exponent). yaml's own 1.1 schema is looser on those points, so its tests are replaced here.
 * Timestamps stay strings: Ansible prints a date exactly as written.
 */
const PYYAML_TESTS: Record<string, RegExp> = {
  'bool:true': /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
  'bool:false': /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  'int:': /^[-+]?(?:0|[1-9][0-9_]*)$/,
  'int:TIME': /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/,
  'float:': /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?)$/,
};

function pyyamlTag(tag: Tags[number]): Tags[number] | undefined {
  if (typeof tag === 'string' || !('test' in tag) || !tag.test) return tag;
  const kind = tag.tag.replace('tag:yaml.org,2002:', '');
  if (kind === 'timestamp' || (kind === 'float' && tag.format === 'EXP')) return undefined;
  if (kind === 'float' && tag.test.test('.nan')) return tag;
  const key = kind === 'bool' ? `bool:${tag.test.test('true')}` : `${kind}:${tag.format ?? ''}`;
  const test = PYYAML_TESTS[key];
  return test ? { ...tag, test } : tag;
}

function ployTags(tags: Tags): Tags {
  const kept = tags.map(pyyamlTag).filter((tag): tag is Tags[number] => tag !== undefined && tag !== 'timestamp');
  return [...kept, secretTag, vaultTag, unsafeTag];
}

/** Parse YAML text read from `file` (a path or a label such as "--extra-vars"). Throws InputError with file:line:col. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', customTags: ployTags, prettyErrors: false, lineCounter });
  const problems = [...doc.errors, ...doc.warnings.filter((warning) => warning.code === 'TAG_RESOLVE_FAILED')];
  const first = problems.sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (first) {
    const { line, col } = lineCounter.linePos(skipBlanks(text, first.pos[0]));
    const message = first.code === 'MULTIPLE_DOCS' ? 'a second document (---) here; a file must hold one YAML document' : first.message;
    throw new InputError(`invalid YAML: ${message}`, { file, line, column: col });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new InputError(`invalid YAML: ${(error as Error).message}`, { file }, { cause: error });
  }
  return {
    file,
    data,
    where(path) {
      const offset = offsetOf(doc, path);
      const field = path.length ? { field: formatYamlPath(path) } : {};
      if (offset === undefined) return { file, ...field };
      const { line, col } = lineCounter.linePos(offset);
      return { file, line, column: col, ...field };
    },
  };
}

/**
 * Read and parse a YAML (or JSON) file; messages name it as `label` (default: the path). A missing
 * or unreadable file is an InputError too.
 */
export async function readYamlFile(path: string, label: string = path): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file: label }, { cause: error });
  }
  return parseYaml(text, label);
}

/** all.children.web.hosts['10.0.0.5'], list items as [0]. */
export function formatYamlPath(path: YamlPath): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (/^[A-Za-z0-9_-]+$/.test(segment)) return i === 0 ? segment : `.${segment}`;
      return `['${segment.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
    })
    .join('');
}

/** A mapping as YAML gives it: a plain object (not an array, not a Secret or Date). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** "a mapping", "a list", "a string"...: for messages saying what was found instead. */
export function describeYamlValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Secret) return 'a secret';
  if (isMapping(value)) return 'a mapping';
  return `a ${typeof value}`;
}

/** Source offset of the key (or sequence item) at path; the deepest one found when the path goes further. */
function offsetOf(doc: Document, path: YamlPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** yaml reports some errors (a bad indent, a duplicate key) at the blanks before the offending text; point at the text. */
function skipBlanks(text: string, start: number): number {
  let at = start;
  while (at < text.length && /\s/.test(text[at] as string)) at++;
  return at < text.length ? at : start;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}
