import { createHash } from 'node:crypto';
import { TaskFailedError } from '../../errors.ts';
import type { Change, ModuleContext, Plan } from '../../module.ts';
import { isSecret, mask, reveal, type Secret } from '../../secret.ts';
import { quote } from '../../shell.ts';
import { attributeCommands, attributeDrift } from './attributes.ts';
import { atomicWriteCommand, parentOf } from './atomic-write.ts';
import { contentDiff, DIFF_LIMIT_BYTES, looksBinary, type DiffSide } from './content-diff.ts';
import { defaultMode, formatMode, resolveMode, type ModeSpec } from './mode.ts';
import { HEADER_SCRIPT, parseProbeOutput, pathProbeScript, readHeader, readPathState, type PresentPath, type ProbeHeader, type ShellPath } from './probe.ts';
import { runChecked } from './run.ts';

/** What copy and template report. */
export interface ContentData {
  dest: string;
  /** sha256 of the wanted content, hex. */
  sha256: string;
  size: number;
  /** The backup kept before overwriting, when backup was asked and the file existed. */
  backupFile: string;
}

/** A file that must hold exactly this content (copy's and template's common planner). */
export interface ContentTarget {
  readonly dest: string;
  readonly content: Buffer | string | Secret;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
  readonly mode?: ModeSpec | undefined;
  readonly backup?: boolean | undefined;
  /** When set, a missing parent directory is created with this mode; otherwise it is an error. */
  readonly directoryMode?: ModeSpec | undefined;
  /** A command that must accept the new content before it replaces DEST; %s is the temp file (Ansible's validate). */
  readonly validate?: string | undefined;
  /** DEST's current text when the module's own probe already read it, so --diff does not read it again. */
  readonly currentText?: string | undefined;
}

/**
 * The one probe planContent runs: who runs it and with which umask, DEST's type, stat and sha256,
 * and whether its directory exists. A module that needs more facts appends its own lines to it,
 * runs it once, and hands the parsed output to planContentFromFacts. DEST may be a path only the
 * host knows (a ShellPath, e.g. under a user's home). `sha256: false` when the same probe reads the
 * whole text anyway (textProbeScript): digestTextProbe() then computes it here.
 */
export function contentProbeScript(dest: string | ShellPath, options: { sha256?: boolean } = {}): string {
  // A host-side path's directory by parameter expansion (an absolute path: `${x%/*}`, or / for /x), not a dirname process.
  const parent = typeof dest === 'string' ? quote(parentOf(dest)) : '"${ploy_parent:-/}"';
  return [
    HEADER_SCRIPT,
    pathProbeScript('dest', dest, { follow: false, sha256: options.sha256 ?? true }),
    ...(typeof dest === 'string' ? [] : [`ploy_parent=${dest.shell}; ploy_parent=\${ploy_parent%/*}`]),
    `if [ -d ${parent} ]; then echo parent=directory; else echo parent=missing; fi`,
  ].join('\n');
}

/**
 * Probe DEST once (type, stat, sha256, umask, whether its directory exists) and plan at most one
 * change: an atomic write when the content differs, else a chown/chmod when only attributes do.
 */
export async function planContent(ctx: ModuleContext, target: ContentTarget): Promise<Plan<ContentData>> {
  const facts = parseProbeOutput((await runChecked(ctx, contentProbeScript(target.dest), `probe of ${target.dest}`, { probe: true })).stdout);
  return planContentFromFacts(ctx, target, facts);
}

/** Plan DEST's content from the output of contentProbeScript (plus whatever lines a module added). */
export async function planContentFromFacts(ctx: ModuleContext, target: ContentTarget, facts: Map<string, string[]>): Promise<Plan<ContentData>> {
  const { dest } = target;
  const bytes = Buffer.from(typeof target.content === 'string' || isSecret(target.content) ? reveal(target.content) : target.content);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const parent = parentOf(dest);
  const header = readHeader(facts);
  const state = readPathState(facts, 'dest');
  const data = { dest, sha256, size: bytes.length };

  if (state.type === 'directory') {
    throw new TaskFailedError(`${dest} is a directory; dest must be the full path of the file to write`);
  }
  if (state.type === 'other') {
    throw new TaskFailedError(`${dest} exists and is not a regular file (a device, socket or fifo); refusing to replace it`);
  }
  if (state.type === 'file' && state.sha256 === sha256) {
    return { changes: attributeChanges(ctx, state, target, header), data };
  }
  const parentMissing = state.type === 'absent' && facts.get('parent')?.[0] !== 'directory';
  if (parentMissing && target.directoryMode === undefined) {
    throw new TaskFailedError(`cannot create ${dest}: its directory ${parent} does not exist (create it first with the file module, state 'directory', or set directoryMode)`);
  }

  const existing = state.type === 'file' ? state : undefined;
  const base = existing?.mode ?? defaultMode(false, header.umask);
  const mode = target.mode ? resolveMode(target.mode, base, false, header.umask) : base;
  const owner = target.owner ?? (existing && existing.uid !== header.uid ? String(existing.uid) : undefined);
  const group = target.group ?? (existing && existing.gid !== header.gid ? String(existing.gid) : undefined);
  const details = [`${bytes.length} bytes`, `mode ${formatMode(mode)}`, ...(target.owner ? [`owner ${target.owner}`] : []), ...(target.group ? [`group ${target.group}`] : [])];
  const summary =
    state.type === 'absent'
      ? `create ${dest} (${details.join(', ')})`
      : state.type === 'link'
        ? `replace symlink ${dest} -> ${state.target ?? '?'} with a file (${details.join(', ')})`
        : `update ${dest} content${existing ? attributeSuffix(existing, target, header) : ''}`;
  const command = atomicWriteCommand({
    dest,
    size: bytes.length,
    mode,
    owner,
    group,
    backup: target.backup,
    validate: target.validate,
    createParentMode: parentMissing && target.directoryMode ? resolveMode(target.directoryMode, defaultMode(true, header.umask), true, header.umask) : undefined,
  });
  const diff = ctx.wantDiff ? await diffFor(ctx, dest, existing, bytes, isSecret(target.content), target.currentText) : undefined;
  const change: Change<ContentData> = {
    summary,
    ...(diff ? { diff } : {}),
    async apply() {
      const result = await runChecked(ctx, command, `writing ${dest}`, { stdin: bytes });
      const backupFile = parseProbeOutput(result.stdout).get('backup')?.[0];
      return { data: backupFile ? { backupFile } : {} };
    },
  };
  return { changes: [change], data };
}

function attributeChanges(ctx: ModuleContext, state: PresentPath, target: ContentTarget, header: ProbeHeader): Change<ContentData>[] {
  const drift = attributeDrift(state, target, header);
  if (drift.summaries.length === 0) return [];
  const command = attributeCommands(target.dest, drift).join(' && ');
  return [
    {
      summary: `${target.dest}: ${drift.summaries.join(', ')}`,
      async apply() {
        await runChecked(ctx, command, `setting owner/mode of ${target.dest}`);
      },
    },
  ];
}

function attributeSuffix(state: PresentPath, target: ContentTarget, header: ProbeHeader): string {
  const drift = attributeDrift(state, target, header);
  return drift.summaries.length ? `, ${drift.summaries.join(', ')}` : '';
}

/** The diff for --diff; the old content costs a second round trip, and only when it changed. */
async function diffFor(ctx: ModuleContext, dest: string, existing: PresentPath | undefined, bytes: Buffer, secretContent: boolean, currentText: string | undefined): Promise<string> {
  const text = bytes.toString('utf8');
  const after: DiffSide = { text, size: bytes.length };
  const secretBearing = secretContent || mask(text) !== text;
  let before: DiffSide = { text: null, size: 0 };
  if (existing) {
    const fetchable = existing.size <= DIFF_LIMIT_BYTES && bytes.length <= DIFF_LIMIT_BYTES && !looksBinary(bytes);
    const old = !fetchable ? '' : (currentText ?? (await runChecked(ctx, `cat -- ${quote(dest)}`, `reading ${dest} for --diff`, { probe: true })).stdout);
    before = { text: old, size: existing.size };
  }
  return contentDiff(dest, before, after, { secretBearing });
}
