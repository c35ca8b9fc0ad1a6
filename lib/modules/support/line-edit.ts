import { expandTemplate, parseTemplate, type PythonRegex } from './python-regex.ts';

/**
 * Ansible's lineinfile as a pure function on text. Lines are split as Python's readlines() splits
 * bytes (after each \n, keeping it). A regexp or insertafter/insertbefore pattern is searched in
 * each line without its final \n (Python's `$` matches before it); an exact `line` match ignores
 * trailing \r and \n. One deliberate difference: a line inserted after a matching last line that
 * lacks its newline gets one first, instead of being glued to it.
 */
export interface LineEdit {
  readonly state: 'present' | 'absent';
  readonly line?: string | undefined;
  readonly regexp?: PythonRegex | undefined;
  readonly searchString?: string | undefined;
  /** 'EOF', 'BOF' or a pattern; default 'EOF' when neither insertAfter nor insertBefore is given. */
  readonly insertAfter?: string | undefined;
  readonly insertBefore?: string | undefined;
  readonly insertPattern?: PythonRegex | undefined;
  readonly backrefs?: boolean | undefined;
  readonly firstMatch?: boolean | undefined;
}

export interface LineEditResult {
  readonly text: string;
  readonly changed: boolean;
  /** Ansible's msg: 'line added', 'line replaced', 'N line(s) removed', or ''. */
  readonly msg: string;
  /** For state absent: how many lines were removed. */
  readonly found?: number;
}

const NL = '\n';

export function splitKeepingNewlines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let at = text.indexOf(NL); at !== -1; at = text.indexOf(NL, start)) {
    lines.push(text.slice(start, at + 1));
    start = at + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

const withoutNewline = (line: string): string => (line.endsWith(NL) ? line.slice(0, -1) : line);
const stripEol = (line: string): string => line.replace(/[\r\n]+$/, '');
const search = (pattern: PythonRegex, line: string): RegExpExecArray | null => pattern.regex.exec(withoutNewline(line));

export function editLines(text: string, edit: LineEdit): LineEditResult {
  return edit.state === 'absent' ? removeLines(text, edit) : ensureLine(text, edit);
}

function ensureLine(text: string, edit: LineEdit): LineEditResult {
  const lines = splitKeepingNewlines(text);
  const line = edit.line ?? '';
  const insertAfter = edit.insertAfter ?? (edit.insertBefore === undefined ? 'EOF' : undefined);
  const insertBefore = edit.insertBefore;
  const insertPattern = insertAfter !== undefined ? (insertAfter === 'BOF' || insertAfter === 'EOF' ? undefined : edit.insertPattern) : insertBefore !== 'BOF' ? edit.insertPattern : undefined;

  let found = -1;
  let insertAt = -1;
  let match: RegExpExecArray | null = null;
  let matched = false;

  if (edit.regexp) {
    for (const [index, current] of lines.entries()) {
      const m = search(edit.regexp, current);
      if (m) {
        found = index;
        match = m;
        matched = true;
        if (edit.firstMatch) break;
      }
    }
  }
  if (edit.searchString !== undefined) {
    for (const [index, current] of lines.entries()) {
      if (current.includes(edit.searchString)) {
        found = index;
        matched = true;
        if (edit.firstMatch) break;
      }
    }
  }
  if (!matched) {
    for (const [index, current] of lines.entries()) {
      if (stripEol(current) === line) {
        found = index;
      } else if (insertPattern && search(insertPattern, current)) {
        insertAt = insertAfter !== undefined ? index + 1 : index;
        if (edit.firstMatch) break;
      }
    }
  }

  const added = (next: string[]): LineEditResult => ({ text: next.join(''), changed: true, msg: 'line added' });
  const unchanged: LineEditResult = { text, changed: false, msg: '' };

  if (found !== -1) {
    let wanted = edit.backrefs && match && edit.regexp ? expandTemplate(parseTemplate(line, edit.regexp, 'line'), match) : line;
    if (!wanted.endsWith(NL)) wanted += NL;
    if (lines[found] === wanted) return unchanged;
    lines[found] = wanted;
    return { text: lines.join(''), changed: true, msg: 'line replaced' };
  }
  if (edit.backrefs) return unchanged;
  if (insertBefore === 'BOF' || insertAfter === 'BOF') return added([line + NL, ...lines]);
  if (insertAfter === 'EOF' || insertAt === -1) return added([...terminated(lines), line + NL]);
  if (insertAfter !== undefined) {
    if (insertAt === lines.length) {
      return stripEol(lines[insertAt - 1] ?? '') === line ? unchanged : added([...terminated(lines), line + NL]);
    }
    return stripEol(lines[insertAt] ?? '') === line ? unchanged : added([...lines.slice(0, insertAt), line + NL, ...lines.slice(insertAt)]);
  }
  return added([...lines.slice(0, insertAt), line + NL, ...lines.slice(insertAt)]);
}

/** The lines with a newline added to the last one when it has none (before appending after it). */
function terminated(lines: string[]): string[] {
  const last = lines[lines.length - 1];
  if (last === undefined || last.endsWith(NL) || last.endsWith('\r')) return lines;
  return [...lines.slice(0, -1), last + NL];
}

function removeLines(text: string, edit: LineEdit): LineEditResult {
  const kept: string[] = [];
  let found = 0;
  for (const current of splitKeepingNewlines(text)) {
    const hit = edit.regexp ? search(edit.regexp, current) !== null : edit.searchString !== undefined ? current.includes(edit.searchString) : stripEol(current) === edit.line;
    if (hit) found++;
    else kept.push(current);
  }
  if (found === 0) return { text, changed: false, msg: '', found };
  return { text: kept.join(''), changed: true, msg: `${found} line(s) removed`, found };
}
