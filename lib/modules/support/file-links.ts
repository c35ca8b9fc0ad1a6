import { TaskFailedError } from '../../errors.ts';
import type { Change, ModuleContext } from '../../module.ts';
import { quote } from '../../shell.ts';
import { attributeCommands, attributeDrift, type WantedAttributes } from './attributes.ts';
import { parentOf } from './atomic-write.ts';
import type { PathState, ProbeHeader } from './probe.ts';
import { runChecked } from './run.ts';

/** What the file module's probe found for state 'link' or 'hard'. */
export interface LinkFacts {
  readonly path: string;
  readonly src: string;
  readonly hard: boolean;
  readonly force: boolean;
  /** The path itself, not followed. */
  readonly state: PathState;
  /** hard: the target, followed. */
  readonly srcState?: PathState | undefined;
  /** link: whether src resolves from the path's directory. */
  readonly srcExists?: boolean | undefined;
  readonly parentExists: boolean;
  readonly header: ProbeHeader;
}

/**
 * Plan a symbolic or hard link. An existing link to the right target only gets owner/group (and,
 * for a hard link, mode: it is the target's inode). A new or replaced link is made under a temp
 * name and renamed over the path, so the path is never missing in between.
 */
export function planLink<R>(ctx: ModuleContext, facts: LinkFacts, wanted: WantedAttributes): Change<R>[] {
  const { path, src, state } = facts;
  const kind = facts.hard ? 'hard link' : 'symbolic link';
  const fail: (message: string) => never = (message) => {
    throw new TaskFailedError(`${path}: ${message}`);
  };

  if (facts.hard) {
    const target = facts.srcState;
    if (!target || target.type === 'absent') fail(`cannot hard-link to ${src}: it does not exist`);
    if (target?.type === 'directory') fail(`cannot hard-link to ${src}: it is a directory`);
  } else if (!facts.srcExists && !facts.force) {
    fail(`the link target ${src} does not exist (relative targets are resolved from ${parentOf(path)}); set force: true to link to it anyway`);
  }

  const linked = facts.hard
    ? state.type !== 'absent' && facts.srcState?.type !== 'absent' && facts.srcState !== undefined && state.inode === facts.srcState.inode && state.device === facts.srcState.device
    : state.type === 'link' && state.target === src;
  if (linked && state.type !== 'absent') {
    const drift = attributeDrift(state, wanted, facts.header);
    if (drift.summaries.length === 0) return [];
    const line = attributeCommands(path, drift, { noDereference: !facts.hard }).join(' && ');
    return [change(ctx, `${path}: ${drift.summaries.join(', ')}`, line)];
  }

  if (state.type === 'absent' && !facts.parentExists) fail(`cannot create the ${kind}: its directory ${parentOf(path)} does not exist`);
  if (state.type === 'directory') fail(`is a directory; refusing to replace it with a ${kind} (remove it first with state 'absent')`);
  if ((state.type === 'file' || state.type === 'other' || (facts.hard && state.type === 'link')) && !facts.force) {
    fail(`exists as a ${state.type === 'other' ? 'special file' : state.type === 'link' ? 'symbolic link' : 'file'}; set force: true to replace it with a ${kind}`);
  }

  // The new link shares the target's inode when hard, so its attributes are the target's.
  const after = facts.hard ? facts.srcState : undefined;
  const set = after && after.type !== 'absent' ? attributeDrift(after, wanted, facts.header) : { owner: wanted.owner, group: wanted.group };
  const lines = [
    'set -e',
    `tmp=$(mktemp -u -- ${quote(`${parentOf(path) === '/' ? '' : parentOf(path)}/.ploy-XXXXXXXX`)})`,
    `ln ${facts.hard ? '' : '-s '}-- ${quote(src)} "$tmp"`,
    `trap 'rm -f -- "$tmp"' EXIT`,
    ...attributeCommands('"$tmp"', set, { noDereference: !facts.hard, quoted: true }),
    `mv -fT -- "$tmp" ${quote(path)}`,
    'trap - EXIT',
  ];
  const what = state.type === 'absent' ? `create ${kind} ${path} -> ${src}` : `replace ${describe(state)} ${path} with a ${kind} -> ${src}`;
  return [change(ctx, what, lines.join('\n'))];
}

function describe(state: Exclude<PathState, { type: 'absent' }>): string {
  if (state.type === 'link') return `symbolic link (-> ${state.target ?? '?'})`;
  return state.type === 'other' ? 'special file' : state.type;
}

function change<R>(ctx: ModuleContext, summary: string, line: string): Change<R> {
  return {
    summary,
    async apply() {
      await runChecked(ctx, line, summary);
    },
  };
}
