import { ModuleArgsError } from '../errors.ts';
import { editBlock, type BlockEdit } from './support/block-edit.ts';
import { compilePythonRegex } from './support/python-regex.ts';
import { optionalBoolean, optionalString } from './support/args.ts';
import { argsSchema, optional, type SchemaArgs } from './support/schema.ts';
import { checkInsertPosition, defineTextEditModule, textEditFileArgs, textEditTarget } from './support/text-edit-module.ts';
import type { TextEditData } from './support/text-file-edit.ts';

export const blockinfileArgs = argsSchema(
  {
    ...textEditTarget,
    block: optional('string', optionalString, 'The text between the markers; empty removes the block (as state absent does).'),
    marker: optional('string', oneLine, 'The marker lines; {mark} becomes markerBegin / markerEnd.', "'# {mark} ANSIBLE MANAGED BLOCK'"),
    markerBegin: optional('string', oneLine, 'What {mark} becomes on the first line.', "'BEGIN'"),
    markerEnd: optional('string', oneLine, 'What {mark} becomes on the last line.', "'END'"),
    insertAfter: optional('string', optionalString, "'EOF' or a Python regexp: insert after its last matching line ((?m) searches the whole text).", "'EOF'"),
    insertBefore: optional('string', optionalString, "'BOF' or a Python regexp: insert before its last matching line."),
    prependNewline: optional('boolean', optionalBoolean, "Add a blank line before the block unless there is one (or it is the file's start)."),
    appendNewline: optional('boolean', optionalBoolean, "Add a blank line after the block unless there is one (or it is the file's end)."),
    ...textEditFileArgs,
  },
  {
    summary: "A block of lines between marker lines ensured or removed, as Ansible's blockinfile.",
    checkMode: 'As lineinfile: reads the file, reports "Block inserted/removed" with the diff; writes nothing.',
    notes: [
      'A call that changes nothing costs one remote command; with `--diff` the diff comes from the text that probe read.',
      "Patterns as lineinfile's (Python `re` syntax); `insertAfter` with `(?m)` searches the whole text. Known differences from Ansible: a marker without `{mark}` is refused; files over 4 MiB or not UTF-8 are refused. A symbolic link is followed and its target edited, as Ansible does.",
      "Verified against Ansible: each documented case in `test/unit/module-blockinfile.test.ts` is run through ploy and through Ansible's own module, so they agree.",
    ],
    across(args) {
      checkInsertPosition(args);
      const marker = args.marker ?? '# {mark} ANSIBLE MANAGED BLOCK';
      if (!marker.includes('{mark}')) {
        throw new ModuleArgsError(`must contain {mark}, or the BEGIN and END lines are the same and the block cannot be found again: ${JSON.stringify(marker)}`, { field: 'marker' });
      }
      if ((args.markerBegin ?? 'BEGIN') === (args.markerEnd ?? 'END')) throw new ModuleArgsError('markerBegin and markerEnd must differ', { field: 'markerEnd' });
    },
  },
);

export type BlockinfileArgs = SchemaArgs<typeof blockinfileArgs>;

function oneLine(value: unknown, field: string): string | undefined {
  const line = optionalString(value, field);
  if (line !== undefined && /[\r\n]/.test(line)) throw new ModuleArgsError('must be one line (no \\n or \\r)', { field });
  return line;
}

export const blockinfile = defineTextEditModule<BlockinfileArgs, BlockEdit, TextEditData>({
  name: 'blockinfile',
  schema: blockinfileArgs,

  compile: compileBlockEdit,

  edit: (current, edit) => editBlock(current, edit),
});

/** The pure edit a blockinfile call asks for (also what the unit tests compare with Ansible). */
export function compileBlockEdit(args: BlockinfileArgs, state: 'present' | 'absent'): BlockEdit {
  const after = args.insertAfter !== undefined && args.insertAfter !== 'EOF' ? args.insertAfter : undefined;
  const before = args.insertBefore !== undefined && args.insertBefore !== 'BOF' ? args.insertBefore : undefined;
  const insertPattern = after !== undefined ? compilePythonRegex(after, 'insertAfter') : before !== undefined ? compilePythonRegex(before, 'insertBefore') : undefined;
  return {
    state,
    block: args.block ?? '',
    marker: args.marker ?? '# {mark} ANSIBLE MANAGED BLOCK',
    markerBegin: args.markerBegin ?? 'BEGIN',
    markerEnd: args.markerEnd ?? 'END',
    insertAfter: args.insertAfter,
    insertBefore: args.insertBefore,
    insertPattern,
    prependNewline: args.prependNewline,
    appendNewline: args.appendNewline,
  };
}
