import { TaskFailedError } from '../../errors.ts';
import type { Change, ModuleContext, Plan } from '../../module.ts';
import { quote } from '../../shell.ts';
import { contentProbeScript, planContentFromFacts, type ContentData } from './content-plan.ts';
import { parseMode, type ModeSpec } from './mode.ts';
import { parseProbeOutput, readPathState } from './probe.ts';
import { runChecked } from './run.ts';
import { digestTextProbe, readProbedText, textProbeScript } from './text-probe.ts';

/** Parents of a file created with create: true get this mode (Ansible's os.makedirs under umask 022). */
const CREATED_PARENT_MODE = parseMode('0755');

/** What lineinfile and blockinfile report: the written file (its real path) and Ansible's msg. */
export interface TextEditData extends ContentData {
  msg: string;
}

export interface TextEditTarget {
  readonly path: string;
  readonly create: boolean;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  readonly mode?: ModeSpec | undefined;
  readonly backup?: boolean | undefined;
  readonly validate?: string | undefined;
}

/** The edit, given the file's text (null: missing). `leave` keeps a missing file missing (state absent). */
export type TextEdit<R extends TextEditData> = (current: string | null) => { text: string; msg: string; data?: Partial<R> } | 'leave';

/**
 * Edit a remote text file as Ansible does, in ONE round trip when nothing changes: the probe
 * resolves symbolic links (the link's target is edited, as Ansible's realpath does), stats the
 * file and reads it (textProbeScript); the new text is computed here and goes
 * through the content planner (atomic write with final owner and mode, backup, validate, diff).
 */
export async function planTextEdit<R extends TextEditData>(ctx: ModuleContext, target: TextEditTarget, edit: TextEdit<R>): Promise<Plan<R>> {
  const facts = parseProbeOutput((await runChecked(ctx, editProbeScript(target.path), `reading ${target.path}`, { probe: true })).stdout);
  digestTextProbe(facts, 'edit', 'dest');
  const real = facts.get('real')?.[0] || target.path;
  const state = readPathState(facts, 'dest');
  const shown = real === target.path ? target.path : `${target.path} (-> ${real})`;
  if (state.type === 'directory') throw new TaskFailedError(`${shown} is a directory, not a file to edit`);
  if (state.type === 'link') throw new TaskFailedError(`${target.path} is a symbolic link whose target cannot be resolved (${state.target ?? '?'})`);

  const current = state.type === 'file' ? readEditedText(facts, shown) : null;
  const outcome = edit(current);
  if (outcome === 'leave') return { changes: [], data: { dest: real, msg: 'file not present' } as Partial<R> };
  if (current === null && !target.create) {
    throw new TaskFailedError(`${shown} does not exist (set create: true to create it)`);
  }
  const plan = await planContentFromFacts(
    ctx,
    {
      dest: real,
      content: outcome.text,
      owner: target.owner,
      group: target.group,
      mode: target.mode,
      backup: target.backup,
      validate: target.validate,
      directoryMode: current === null ? CREATED_PARENT_MODE : undefined,
      currentText: current ?? undefined,
    },
    facts,
  );
  const contentChanged = current !== outcome.text;
  // The planner's changes carry ContentData, a part of R.
  const changes = plan.changes.map((change) => (contentChanged && outcome.msg ? { ...change, summary: `${change.summary}: ${outcome.msg}` } : change)) as Change<R>[];
  return { changes, data: { ...plan.data, ...outcome.data, msg: outcome.msg } as Partial<R> };
}

/** Print `real=`, the content probe's facts for the real path, and its text (textProbeScript, key `edit`). */
export function editProbeScript(path: string): string {
  const given = quote(path);
  return [
    `real=$(readlink -f -- ${given} 2>/dev/null) && [ -n "$real" ] || real=${given}`,
    `printf 'real=%s\\n' "$real"`,
    contentProbeScript({ shell: '"$real"' }, { sha256: false }),
    textProbeScript('edit', { shell: '"$real"' }),
  ].join('\n');
}

function readEditedText(facts: Map<string, string[]>, path: string): string {
  const text = readProbedText(facts, 'edit', path, 'lineinfile/blockinfile edit text files only');
  if (text === undefined) throw new TaskFailedError(`the probe of ${path} printed no content`);
  return text;
}
