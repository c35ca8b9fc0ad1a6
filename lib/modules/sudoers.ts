import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { quote } from '../shell.ts';
import { optionalString } from './support/args.ts';
import { contentProbeScript, planContentFromFacts, type ContentData } from './support/content-plan.ts';
import { parseMode } from './support/mode.ts';
import { parseProbeOutput, readPathState } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { argsSchema, choice, choiceType, optional, PRESENCE, required, type SchemaArgs } from './support/schema.ts';

export const sudoersArgs = argsSchema(
  {
    name: required('string', fileName, "The file's name under /etc/sudoers.d: letters, digits, _ and - (sudo skips names with a dot or ending in ~)."),
    content: optional('string', optionalString, 'The whole file; exactly one of content and rules for state present.'),
    rules: optional('string[]', ruleLines, "Lines of the file ('deploy ALL=(ALL) NOPASSWD: ALL')."),
    state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: the file exists with this content; absent: it is removed.', "'present'"),
  },
  {
    summary: 'A drop-in file in /etc/sudoers.d, checked with visudo before it is put in place (mode 0440, root).',
    checkMode: 'The probe already runs `visudo -cf -` on the new text, so a syntax error fails in check mode too; reports the create or update with a diff, or the removal; writes nothing.',
    notes: ['The write validates the temp file again with `visudo -cf` before the rename; the file is mode 0440, root:root.'],
    across(args) {
      const state = args.state ?? 'present';
      if (state === 'present' && (args.content === undefined) === (args.rules === undefined)) {
        throw new ModuleArgsError(args.content === undefined ? 'give content or rules' : 'give either content or rules, not both', { field: args.content === undefined ? 'rules' : 'content' });
      }
      if (state === 'absent' && (args.content !== undefined || args.rules !== undefined)) {
        throw new ModuleArgsError(`state 'absent' takes no ${args.content !== undefined ? 'content' : 'rules'}`, { field: args.content !== undefined ? 'content' : 'rules' });
      }
    },
  },
);

export type SudoersArgs = SchemaArgs<typeof sudoersArgs>;

function fileName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !FILE_NAME.test(value)) {
    throw new ModuleArgsError(`must be a file name of letters, digits, _ and - (sudo ignores files in ${DIR} whose name holds a dot or ends with ~), got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

function ruleLines(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((r) => typeof r === 'string' && !r.includes('\n'))) {
    throw new ModuleArgsError('must be a non-empty list of one-line strings', { field });
  }
  return value as string[];
}

export type SudoersData = Pick<ContentData, 'dest' | 'sha256' | 'size'>;

const DIR = '/etc/sudoers.d';
const FILE_NAME = /^[A-Za-z0-9_-]+$/;
const VISUDO = 'visudo -cf %s';

/** The file's text: rules one per line; a final newline added when missing (sudo wants one). */
export function sudoersText(args: Pick<SudoersArgs, 'content' | 'rules'>): string {
  const text = args.content ?? (args.rules ?? []).join('\n');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * A drop-in under /etc/sudoers.d, mode 0440 root:root. The new text is checked with visudo in the
 * probe (so check mode already reports a syntax error), and again on the temp file just before
 * the rename: a broken file never takes the place of a working one.
 */
export const sudoers = defineModule<SudoersArgs, SudoersData>({
  name: 'sudoers',
  batchProbes: true,

  schema: sudoersArgs,
  validate: sudoersArgs.validate,

  async plan(ctx, args) {
    const dest = `${DIR}/${args.name}`;
    if (args.state === 'absent') {
      const facts = parseProbeOutput((await runChecked(ctx, contentProbeScript(dest), `probe of ${dest}`, { probe: true })).stdout);
      if (readPathState(facts, 'dest').type === 'absent') return { changes: [] };
      const remove: Change<SudoersData> = {
        summary: `remove ${dest}`,
        async apply() {
          await runChecked(ctx, `rm -f -- ${quote(dest)}`, `removing ${dest}`);
        },
      };
      return { changes: [remove] };
    }

    const text = sudoersText(args);
    const script = [contentProbeScript(dest), `if ploy_out=$(visudo -cf - 2>&1); then echo sudoers.valid=yes; else printf 'sudoers.error=%s\\n' "$(printf '%s' "$ploy_out" | tr '\\n' ' ')"; fi`].join(
      '\n',
    );
    const facts = parseProbeOutput((await runChecked(ctx, script, `probe of ${dest}`, { stdin: text })).stdout);
    const error = facts.get('sudoers.error')?.[0];
    if (error !== undefined) throw new TaskFailedError(`visudo rejects the new ${dest}: ${error.trim()}`);
    const plan = await planContentFromFacts(ctx, { dest, content: text, owner: 'root', group: 'root', mode: parseMode('0440'), validate: VISUDO }, facts);
    return { changes: plan.changes, data: { dest, sha256: plan.data?.sha256 ?? '', size: plan.data?.size ?? 0 } };
  },
});
