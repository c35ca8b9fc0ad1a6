import { mask } from '../secret.ts';

/**
 * `kubectl diff` prints one `diff -u -N LIVE/NAME MERGED/NAME` section per object that differs,
 * NAME being `[group.]version.Kind.namespace.name` (kubectl's InfoObject.Name()).
 */
export interface DiffObject {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

const SECTION = /^diff (?:-\S+ )*(\S+) (\S+)$/;
const OBJECT_FILE = /^(?:(.+)\.)?(v\d+(?:(?:alpha|beta)\d+)?)\.([A-Z][A-Za-z0-9]*)\.([a-z0-9-]*)\.(.+)$/;

/** Parse kubectl's object file name (the last path segment of a diff header). */
export function parseObjectFile(path: string): DiffObject | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const match = OBJECT_FILE.exec(base);
  if (!match) return undefined;
  const [, group = '', version = '', kind = '', namespace = '', name = ''] = match;
  return { group, version, kind, namespace, name };
}

/** The objects a diff output shows, in order: "Deployment web/nginx". */
export function changedObjects(output: string): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    const section = SECTION.exec(line);
    const object = section ? parseObjectFile(section[2] ?? section[1] ?? '') : undefined;
    if (object) found.push(`${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`);
  }
  return found;
}

/**
 * The diff output safe to show: registered secrets masked everywhere, and in the sections of Secret
 * objects every value under data/stringData replaced by ***. A hunk that starts inside a Secret's
 * data (its `data:` line outside the context) is masked too: until a top-level key says where the
 * hunk is, every indented line of a Secret section counts as data.
 */
export function maskDiffOutput(output: string): string {
  let inSecret = false;
  let inHunk = false;
  /** The top-level key the current hunk line is under; undefined until one is seen in this hunk. */
  let topKey: string | undefined;
  let dataIndent: number | undefined;
  const lines = output.split('\n').map((line) => {
    const section = SECTION.exec(line);
    if (section) {
      const object = parseObjectFile(section[2] ?? section[1] ?? '');
      inSecret = object?.kind === 'Secret' && object.group === '';
      inHunk = false;
      return line;
    }
    if (!inSecret) return line;
    if (line.startsWith('@@')) {
      inHunk = true;
      topKey = undefined;
      dataIndent = undefined;
      return line;
    }
    if (!inHunk || !/^[ +-]/.test(line)) return line;
    const marker = line[0] ?? ' ';
    const content = line.slice(1);
    const top = /^([A-Za-z_][\w-]*):/.exec(content);
    if (top) {
      topKey = top[1];
      dataIndent = undefined;
      return line;
    }
    const sensitive = topKey === undefined || topKey === 'data' || topKey === 'stringData';
    if (!sensitive || content.trim() === '') return line;
    const indent = content.length - content.trimStart().length;
    dataIndent ??= indent;
    const entry = /^(\s+)([^\s:][^:]*):(\s.*|)$/.exec(content);
    if (entry && indent === dataIndent) return `${marker}${entry[1]}${entry[2]}: ***`;
    return `${marker}${' '.repeat(indent)}***`;
  });
  return mask(lines.join('\n'));
}
