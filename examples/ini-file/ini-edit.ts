/**
 * The edit iniFile makes, as a pure function of the file's text: set or remove one option of one
 * section, or remove a whole section. Lines it does not own (comments, other options, spacing)
 * are kept as they are, so a hand-edited file keeps its layout.
 */

export interface IniEdit {
  /** null: the options before the first [section] header. */
  readonly section: string | null;
  /** Absent with state 'absent': the whole section goes. */
  readonly option?: string | undefined;
  readonly value?: string | undefined;
  readonly state: 'present' | 'absent';
  /** `key=value` instead of `key = value`. */
  readonly noExtraSpaces: boolean;
}

export interface IniEditOutcome {
  readonly text: string;
  /** What changed, in the words Ansible's ini_file uses; 'OK' when nothing did. */
  readonly msg: string;
}

const HEADER = /^\s*\[([^\]]*)\]\s*$/;

/** Where a section's lines are: its header line (-1 for the global part) and the end, exclusive. */
interface SectionSpan {
  readonly header: number;
  readonly end: number;
}

export function editIni(current: string | null, edit: IniEdit): IniEditOutcome {
  const outcome = edited(splitLines(current ?? ''), edit);
  // Unchanged means byte for byte, a missing final newline included.
  return outcome.msg === 'OK' ? { text: current ?? '', msg: 'OK' } : outcome;
}

function edited(lines: string[], edit: IniEdit): IniEditOutcome {
  const span = findSection(lines, edit.section);
  if (edit.state === 'absent') return edit.option === undefined ? removeSection(lines, span, edit) : removeOption(lines, span, edit.option);
  const wanted = `${edit.option ?? ''}${edit.noExtraSpaces ? '=' : ' = '}${edit.value ?? ''}`;
  if (span === undefined) {
    const separator = lines.length > 0 && lines[lines.length - 1]?.trim() !== '' ? [''] : [];
    return { text: joinLines([...lines, ...separator, `[${edit.section ?? ''}]`, wanted]), msg: 'section and option added' };
  }
  const found = optionLines(lines, span, edit.option ?? '');
  const first = found[0];
  if (first === undefined) {
    const at = lastContentLine(lines, span) + 1;
    return { text: joinLines([...lines.slice(0, at), wanted, ...lines.slice(at)]), msg: 'option added' };
  }
  // The first occurrence is set; later ones in the same section would override it, so they go.
  const kept = lines.map((line, index) => (index === first ? wanted : line)).filter((_, index) => !found.slice(1).includes(index));
  const changed = lines[first] !== wanted || found.length > 1;
  return { text: joinLines(kept), msg: changed ? 'option changed' : 'OK' };
}

function removeOption(lines: string[], span: SectionSpan | undefined, option: string): IniEditOutcome {
  const found = span === undefined ? [] : optionLines(lines, span, option);
  if (found.length === 0) return { text: joinLines(lines), msg: 'OK' };
  return { text: joinLines(lines.filter((_, index) => !found.includes(index))), msg: 'option removed' };
}

function removeSection(lines: string[], span: SectionSpan | undefined, edit: IniEdit): IniEditOutcome {
  if (span === undefined || edit.section === null) return { text: joinLines(lines), msg: 'OK' };
  return { text: joinLines([...lines.slice(0, span.header), ...lines.slice(span.end)]), msg: 'section removed' };
}

function findSection(lines: readonly string[], section: string | null): SectionSpan | undefined {
  let header = section === null ? -1 : undefined;
  for (let index = 0; index < lines.length; index++) {
    const name = HEADER.exec(lines[index] ?? '')?.[1];
    if (name === undefined) continue;
    if (header !== undefined) return { header, end: index };
    if (name.trim() === section) header = index;
  }
  return header === undefined ? undefined : { header, end: lines.length };
}

/** Indexes of the section's active (not commented) lines setting the option, `key = v` or `key=v`. */
function optionLines(lines: readonly string[], span: SectionSpan, option: string): number[] {
  const indexes: number[] = [];
  for (let index = span.header + 1; index < span.end; index++) {
    const line = lines[index] ?? '';
    const at = line.indexOf('=');
    if (at > 0 && line.slice(0, at).trim() === option && !/^\s*[#;]/.test(line)) indexes.push(index);
  }
  return indexes;
}

/** A new option goes after the section's last non-blank line, so the blank line before the next header stays. */
function lastContentLine(lines: readonly string[], span: SectionSpan): number {
  for (let index = span.end - 1; index > span.header; index--) if (lines[index]?.trim() !== '') return index;
  return span.header;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function joinLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
