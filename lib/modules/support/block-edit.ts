import type { PythonRegex } from './python-regex.ts';

/**
 * Ansible's blockinfile as a pure function on text. Lines are split as Python's bytes.splitlines
 * (keepends) splits them: after \n, \r\n or a lone \r. Markers are whole lines, newline included
 * (so, as in Ansible, a marker on a last line without its newline is not found). The block is
 * found by the last BEGIN and the last END marker; without both it is inserted after the last line
 * matching insertAfter (or before the last matching insertBefore), at the end when nothing matches.
 * A pattern with a leading (?m) is searched in the whole text instead, as Ansible does.
 */
export interface BlockEdit {
  readonly state: 'present' | 'absent';
  /** The block's lines; empty means remove the block, as with state absent. */
  readonly block: string;
  /** '# {mark} ANSIBLE MANAGED BLOCK' by default; {mark} becomes markerBegin / markerEnd. */
  readonly marker: string;
  readonly markerBegin: string;
  readonly markerEnd: string;
  /** 'EOF' or a pattern; default 'EOF' when neither is given. */
  readonly insertAfter?: string | undefined;
  /** 'BOF' or a pattern. */
  readonly insertBefore?: string | undefined;
  readonly insertPattern?: PythonRegex | undefined;
  readonly prependNewline?: boolean | undefined;
  readonly appendNewline?: boolean | undefined;
}

export interface BlockEditResult {
  readonly text: string;
  readonly changed: boolean;
  /** 'Block inserted', 'Block removed', 'File created' or ''. */
  readonly msg: string;
}

const NL = '\n';

export function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

export function markerLine(edit: BlockEdit, which: 'begin' | 'end'): string {
  return edit.marker.split('{mark}').join(which === 'begin' ? edit.markerBegin : edit.markerEnd) + NL;
}

/** original: the file's text, or null when it does not exist yet (it is created). */
export function editBlock(original: string | null, edit: BlockEdit): BlockEditResult {
  const lines = original === null ? [] : splitLinesKeepEnds(original);
  const begin = markerLine(edit, 'begin');
  const end = markerLine(edit, 'end');
  const present = edit.state === 'present';
  let block = edit.block;
  let blockLines: string[] = [];
  if (present && block !== '') {
    if (!block.endsWith(NL)) block += NL;
    blockLines = [begin, ...splitLinesKeepEnds(block), end];
  }
  const insertAfter = edit.insertAfter ?? (edit.insertBefore === undefined ? 'EOF' : undefined);
  const insertBefore = edit.insertBefore;
  const pattern = insertAfter !== undefined ? (insertAfter === 'EOF' ? undefined : edit.insertPattern) : insertBefore !== 'BOF' ? edit.insertPattern : undefined;

  let first: number | undefined;
  let last: number | undefined;
  lines.forEach((line, i) => {
    if (line === begin) first = i;
    if (line === end) last = i;
  });

  let at: number;
  if (first === undefined || last === undefined) {
    at = insertionPoint(lines, original ?? '', pattern, insertAfter !== undefined);
  } else if (first < last) {
    lines.splice(first, last - first + 1);
    at = first;
  } else {
    lines.splice(last, first - last + 1);
    at = last;
  }

  const before = lines[at - 1];
  if (at > 0 && before !== undefined && !before.endsWith(NL)) lines[at - 1] = before + NL;
  if (edit.prependNewline && present && at !== 0 && lines[at - 1] !== NL) {
    lines.splice(at, 0, NL);
    at++;
  }
  lines.splice(at, 0, ...blockLines);
  if (edit.appendNewline && present) {
    const after = at + blockLines.length;
    if (after < lines.length && lines[after] !== NL) lines.splice(after, 0, NL);
  }

  const text = lines.join('');
  if (original === text) return { text, changed: false, msg: '' };
  if (original === null) return { text, changed: true, msg: 'File created' };
  return { text, changed: true, msg: blockLines.length === 0 ? 'Block removed' : 'Block inserted' };
}

function insertionPoint(lines: string[], original: string, pattern: PythonRegex | undefined, after: boolean): number {
  if (pattern === undefined) return after ? lines.length : 0;
  let at: number | undefined;
  if (pattern.multiline) {
    const match = pattern.regex.exec(original);
    if (match) at = countNewlines(original, after ? match.index + match[0].length : match.index);
  } else {
    lines.forEach((line, i) => {
      if (pattern.regex.test(line.endsWith(NL) ? line.slice(0, -1) : line)) at = i;
    });
  }
  if (at === undefined) return lines.length;
  return after ? at + 1 : at;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let i = text.indexOf(NL); i !== -1 && i < end; i = text.indexOf(NL, i + 1)) count++;
  return count;
}
