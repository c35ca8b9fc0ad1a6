import { ModuleArgsError } from '../errors.ts';
import { editLines, type LineEdit } from './support/line-edit.ts';
import { compilePythonRegex, parseTemplate, type PythonRegex } from './support/python-regex.ts';
import { optionalBoolean, optionalString } from './support/args.ts';
import { argsSchema, optional, type SchemaArgs } from './support/schema.ts';
import { checkInsertPosition, defineTextEditModule, textEditFileArgs, textEditTarget } from './support/text-edit-module.ts';
import type { TextEditData } from './support/text-file-edit.ts';

export const lineinfileArgs = argsSchema(
  {
    ...textEditTarget,
    line: optional('string', oneLine, 'The line to ensure (required with present); with backrefs, a Python template (\\1, \\g<name>).'),
    regexp: optional('string', optionalString, 'A Python regular expression: the last matching line is replaced (or, absent, every one removed).'),
    searchString: optional('string', optionalString, 'A literal string instead of regexp.'),
    insertAfter: optional('string', optionalString, "'EOF', 'BOF' or a regexp: insert after its last match when regexp finds nothing.", "'EOF'"),
    insertBefore: optional('string', optionalString, "'BOF' or a regexp: insert before its last match."),
    backrefs: optional('boolean', optionalBoolean, "Expand \\1... from the regexp's match into line; no match means no change at all."),
    firstMatch: optional('boolean', optionalBoolean, 'Use the first match of regexp/insertAfter/insertBefore instead of the last.'),
    ...textEditFileArgs,
  },
  {
    summary: "One line in a text file ensured or removed, as Ansible's lineinfile (Python regular expressions).",
    checkMode: 'Reads the file (one round trip), reports the edit ("line added/replaced", "N line(s) removed") and, with --diff, the diff from that same read; writes nothing.',
    notes: [
      'A call that changes nothing costs one remote command; with `--diff` the diff comes from the text that probe read.',
      'Patterns are Python `re` syntax translated to JavaScript (`(?P<n>)`, `(?P=n)`, `\\A`, `\\Z`, leading `(?ims)`); `(?x)` and scoped flags are refused.',
      'Known differences from Ansible: a line inserted after a matching last line that has no newline gets one (Ansible glues them); `line` must be one line; files over 4 MiB or not UTF-8 are refused. A symbolic link is followed and its target edited, as Ansible does.',
      "Verified against Ansible: each documented case in `test/unit/module-lineinfile.test.ts` is run through ploy and through Ansible's own module (ansible-core on the controller), so they agree.",
    ],
    across(args) {
      checkInsertPosition(args);
      exclusive(args, 'regexp', 'searchString');
      if (args.backrefs === true) exclusive(args, 'backrefs', 'searchString');
      if ((args.state ?? 'present') === 'present') {
        if (args.line === undefined) throw new ModuleArgsError("line is required with state 'present'", { field: 'line' });
        if (args.backrefs === true && args.regexp === undefined) throw new ModuleArgsError('backrefs needs a regexp to take the groups from', { field: 'backrefs' });
      } else if (args.line === undefined && args.regexp === undefined && args.searchString === undefined) {
        throw new ModuleArgsError("state 'absent' needs one of line, regexp or searchString", { field: 'line' });
      }
    },
  },
);

export type LineinfileArgs = SchemaArgs<typeof lineinfileArgs>;

export interface LineinfileData extends TextEditData {
  /** With state absent: how many lines were removed. */
  found: number;
}

export const lineinfile = defineTextEditModule<LineinfileArgs, LineEdit, LineinfileData>({
  name: 'lineinfile',
  schema: lineinfileArgs,

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

function oneLine(value: unknown, field: string): string | undefined {
  const line = optionalString(value, field);
  if (line !== undefined && /[\r\n]/.test(line)) throw new ModuleArgsError('must be one line (no \\n or \\r)', { field });
  return line;
}

function exclusive(args: LineinfileArgs, a: keyof LineinfileArgs, b: keyof LineinfileArgs): void {
  if (args[a] !== undefined && args[b] !== undefined) throw new ModuleArgsError(`${a} and ${b} cannot be used together`, { field: b });
}
