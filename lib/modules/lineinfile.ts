import { ModuleArgsError } from '../errors.ts';
import { editLines, type LineEdit } from './support/line-edit.ts';
import { compilePythonRegex, parseTemplate, type PythonRegex } from './support/python-regex.ts';
import { defineTextEditModule, type TextEditArgs } from './support/text-edit-module.ts';
import type { TextEditData } from './support/text-file-edit.ts';

export interface LineinfileArgs extends TextEditArgs {
  /** The line to ensure (required with present); with backrefs, a Python template (\1, \g<name>). */
  line?: string;
  /** A Python regular expression: the last matching line is replaced (or, absent, every one removed). */
  regexp?: string;
  /** A literal string instead of regexp. */
  searchString?: string;
  /** 'EOF' (default), 'BOF' or a regexp: insert after its last match when regexp finds nothing. */
  insertAfter?: string;
  /** 'BOF' or a regexp: insert before its last match. */
  insertBefore?: string;
  /** Expand \1... from the regexp's match into line; no match means no change at all. */
  backrefs?: boolean;
  /** Use the first match of regexp/insertAfter/insertBefore instead of the last. */
  firstMatch?: boolean;
}

export interface LineinfileData extends TextEditData {
  /** With state absent: how many lines were removed. */
  found: number;
}

const KNOWN = [
  'path', 'state', 'line', 'regexp', 'searchString', 'insertAfter', 'insertBefore', 'backrefs', 'firstMatch', 'create', 'backup', 'validate', 'owner', 'group', 'mode',
] as const;

export const lineinfile = defineTextEditModule<LineinfileArgs, LineEdit, LineinfileData>({
  name: 'lineinfile',
  known: KNOWN,
  strings: ['line', 'regexp', 'searchString'],
  booleans: ['backrefs', 'firstMatch'],

  check(raw, state) {
    exclusive(raw, 'regexp', 'searchString');
    if (raw.backrefs === true) exclusive(raw, 'backrefs', 'searchString');
    if (raw.line !== undefined && /[\r\n]/.test(raw.line as string)) throw new ModuleArgsError('must be one line (no \\n or \\r)', { field: 'line' });
    if (state === 'present') {
      if (raw.line === undefined) throw new ModuleArgsError("line is required with state 'present'", { field: 'line' });
      if (raw.backrefs === true && raw.regexp === undefined) throw new ModuleArgsError('backrefs needs a regexp to take the groups from', { field: 'backrefs' });
    } else if (raw.line === undefined && raw.regexp === undefined && raw.searchString === undefined) {
      throw new ModuleArgsError("state 'absent' needs one of line, regexp or searchString", { field: 'line' });
    }
  },

  compile: compileLineEdit,

  edit(current, edit) {
    const result = editLines(current ?? '', edit);
    return { text: result.text, msg: result.msg, data: { found: result.found ?? 0 } };
  },
});

/** The pure edit a lineinfile call asks for (also what the unit tests compare with Ansible). */
export function compileLineEdit(args: LineinfileArgs, state: 'present' | 'absent'): LineEdit {
  const regexp = args.regexp === undefined ? undefined : compilePythonRegex(args.regexp, 'regexp');
  if (regexp && args.backrefs && args.line !== undefined) parseTemplate(args.line, regexp, 'line');
  let insertPattern: PythonRegex | undefined;
  if (args.insertAfter !== undefined && args.insertAfter !== 'BOF' && args.insertAfter !== 'EOF') insertPattern = compilePythonRegex(args.insertAfter, 'insertAfter');
  else if (args.insertBefore !== undefined && args.insertBefore !== 'BOF') insertPattern = compilePythonRegex(args.insertBefore, 'insertBefore');
  return {
    state,
    line: args.line,
    regexp,
    searchString: args.searchString,
    insertAfter: args.insertAfter,
    insertBefore: args.insertBefore,
    insertPattern,
    backrefs: args.backrefs,
    firstMatch: args.firstMatch,
  };
}

function exclusive(raw: Record<string, unknown>, a: string, b: string): void {
  if (raw[a] !== undefined && raw[b] !== undefined) throw new ModuleArgsError(`${a} and ${b} cannot be used together`, { field: b });
}
