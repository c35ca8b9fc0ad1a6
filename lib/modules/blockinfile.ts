import { ModuleArgsError } from '../errors.ts';
import { editBlock, type BlockEdit } from './support/block-edit.ts';
import { compilePythonRegex } from './support/python-regex.ts';
import { defineTextEditModule, type TextEditArgs } from './support/text-edit-module.ts';
import type { TextEditData } from './support/text-file-edit.ts';

export interface BlockinfileArgs extends TextEditArgs {
  /** The text between the markers; empty removes the block (as state absent does). */
  block?: string;
  /** Default '# {mark} ANSIBLE MANAGED BLOCK'; {mark} becomes markerBegin / markerEnd. */
  marker?: string;
  markerBegin?: string;
  markerEnd?: string;
  /** 'EOF' (default) or a Python regexp: insert after its last matching line ((?m) searches the whole text). */
  insertAfter?: string;
  /** 'BOF' or a Python regexp: insert before its last matching line. */
  insertBefore?: string;
  /** Add a blank line before / after the block unless there is one (or it is the file's start / end). */
  prependNewline?: boolean;
  appendNewline?: boolean;
}

const KNOWN = [
  'path', 'state', 'block', 'marker', 'markerBegin', 'markerEnd', 'insertAfter', 'insertBefore', 'prependNewline', 'appendNewline', 'create', 'backup', 'validate', 'owner', 'group', 'mode',
] as const;

export const blockinfile = defineTextEditModule<BlockinfileArgs, BlockEdit, TextEditData>({
  name: 'blockinfile',
  known: KNOWN,
  strings: ['block', 'marker', 'markerBegin', 'markerEnd'],
  booleans: ['prependNewline', 'appendNewline'],

  check(raw) {
    for (const field of ['marker', 'markerBegin', 'markerEnd'] as const) {
      if (typeof raw[field] === 'string' && /[\r\n]/.test(raw[field])) throw new ModuleArgsError('must be one line (no \\n or \\r)', { field });
    }
    const marker = (raw.marker as string | undefined) ?? '# {mark} ANSIBLE MANAGED BLOCK';
    if (!marker.includes('{mark}')) {
      throw new ModuleArgsError(`must contain {mark}, or the BEGIN and END lines are the same and the block cannot be found again: ${JSON.stringify(marker)}`, { field: 'marker' });
    }
    if ((raw.markerBegin ?? 'BEGIN') === (raw.markerEnd ?? 'END')) throw new ModuleArgsError('markerBegin and markerEnd must differ', { field: 'markerEnd' });
  },

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
