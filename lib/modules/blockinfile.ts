import { ModuleArgsError } from '../errors.ts';
import { defineModule } from '../module.ts';
import { oneOf, optionalBoolean, optionalString, requireAbsolutePath, requireObject } from './support/args.ts';
import { editBlock, type BlockEdit } from './support/block-edit.ts';
import { parseMode } from './support/mode.ts';
import { compilePythonRegex } from './support/python-regex.ts';
import { validateEditAttributes } from './support/text-edit-args.ts';
import { planTextEdit, type TextEditData } from './support/text-file-edit.ts';

export interface BlockinfileArgs {
  /** The file to edit (a symbolic link is followed). */
  path: string;
  state?: 'present' | 'absent';
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
  create?: boolean;
  backup?: boolean;
  validate?: string;
  owner?: string;
  group?: string;
  mode?: string;
}

const KNOWN = [
  'path', 'state', 'block', 'marker', 'markerBegin', 'markerEnd', 'insertAfter', 'insertBefore', 'prependNewline', 'appendNewline', 'create', 'backup', 'validate', 'owner', 'group', 'mode',
] as const;

const compiled = new WeakMap<BlockinfileArgs, BlockEdit>();

export const blockinfile = defineModule<BlockinfileArgs, TextEditData>({
  name: 'blockinfile',

  validate(args) {
    const raw = requireObject(args, KNOWN);
    requireAbsolutePath(raw.path, 'path');
    const state = raw.state === undefined ? 'present' : oneOf(raw.state, ['present', 'absent'] as const, 'state');
    for (const field of ['block', 'marker', 'markerBegin', 'markerEnd', 'insertAfter', 'insertBefore'] as const) optionalString(raw[field], field);
    for (const field of ['prependNewline', 'appendNewline', 'create'] as const) optionalBoolean(raw[field], field);
    validateEditAttributes(raw);
    if (raw.insertAfter !== undefined && raw.insertBefore !== undefined) {
      throw new ModuleArgsError('insertAfter and insertBefore cannot be used together', { field: 'insertBefore' });
    }
    for (const field of ['marker', 'markerBegin', 'markerEnd'] as const) {
      if (typeof raw[field] === 'string' && /[\r\n]/.test(raw[field])) throw new ModuleArgsError('must be one line (no \\n or \\r)', { field });
    }
    const marker = (raw.marker as string | undefined) ?? '# {mark} ANSIBLE MANAGED BLOCK';
    if (!marker.includes('{mark}')) {
      throw new ModuleArgsError(`must contain {mark}, or the BEGIN and END lines are the same and the block cannot be found again: ${JSON.stringify(marker)}`, { field: 'marker' });
    }
    if ((raw.markerBegin ?? 'BEGIN') === (raw.markerEnd ?? 'END')) throw new ModuleArgsError('markerBegin and markerEnd must differ', { field: 'markerEnd' });
    compiled.set(args, compile(args, state));
    return args;
  },

  async plan(ctx, args) {
    const edit = compiled.get(args) ?? compile(args, args.state ?? 'present');
    return planTextEdit<TextEditData>(
      ctx,
      {
        path: args.path,
        create: args.create ?? false,
        owner: args.owner,
        group: args.group,
        mode: args.mode === undefined ? undefined : parseMode(args.mode),
        backup: args.backup,
        validate: args.validate,
      },
      (current) => (current === null && edit.state === 'absent' ? 'leave' : editBlock(current, edit)),
    );
  },
});

function compile(args: BlockinfileArgs, state: 'present' | 'absent'): BlockEdit {
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
