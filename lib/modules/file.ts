import { posix } from 'node:path';
import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change, type ModuleContext } from '../module.ts';
import { quote } from '../shell.ts';
import { optionalBoolean, rejectControlCharacters, requireAbsolutePath } from './support/args.ts';
import { attributeCommands, attributeDrift, chownSpec, type WantedAttributes } from './support/attributes.ts';
import { atomicWriteCommand, parentOf } from './support/atomic-write.ts';
import { planLink, type LinkFacts } from './support/file-links.ts';
import { chmodArgument, defaultMode, formatMode, parseMode, resolveMode } from './support/mode.ts';
import { HEADER_SCRIPT, parseProbeOutput, pathProbeScript, readHeader, readPathState, readTree, treeProbeScript, type PathState, type PresentPath, type ProbeHeader } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { treeDrift } from './support/tree-drift.ts';
import { fileTargetArgs, modeString } from './support/file-target.ts';
import { argsSchema, checkedAcross, choice, choiceType, optional, required, type SchemaArgs } from './support/schema.ts';

export type FileState = 'file' | 'directory' | 'link' | 'hard' | 'absent' | 'touch';

const STATES = ['file', 'directory', 'link', 'hard', 'absent', 'touch'] as const satisfies readonly FileState[];

export const fileArgs = argsSchema(
  {
    path: required('string', requireAbsolutePath, 'Absolute path to manage.'),
    state: required(
      choiceType(STATES),
      choice(STATES),
      'file: must exist, gets the attributes; directory: created with missing parents; link/hard: a symbolic/hard link to src; absent: removed (a directory with its content); touch: created empty when missing, else only the attributes (timestamps are left alone, so it is idempotent).',
    ),
    src: optional('string', checkedAcross<string>(), "The link's target: for link as it will be written (relative to path's directory or absolute); for hard absolute."),
    owner: fileTargetArgs.owner,
    group: fileTargetArgs.group,
    mode: optional('string', modeString, "'0644', '644', '2755' or symbolic 'u=rwX,g=rX,o='; never a number."),
    recurse: optional('boolean', optionalBoolean, 'directory: apply owner/group/mode to everything below it too.'),
    force: optional('boolean', optionalBoolean, 'link/hard: replace an existing file (not a directory), and link to a src that does not exist (yet).'),
  },
  {
    summary: "A path: a file's attributes, a directory, a link, or nothing there.",
    checkMode:
      'One probe (type, mode, owner, group, link target; with `recurse` one `find`); reports each difference (`create directory`, `mode 0755 -> 0700`, `owner root -> deploy`); changes nothing.',
    notes: ["`mode` is an octal string (`'0644'`) or symbolic (`'u=rw,go=r'`, `X` as chmod reads it); a number is refused, since `644` written as a number is not rw-r--r--."],
    across(args) {
      const raw: Record<string, unknown> = args;
      const state = args.state;
      const linking = state === 'link' || state === 'hard';
      if (linking && (typeof raw.src !== 'string' || raw.src === '')) throw new ModuleArgsError(`state '${state}' needs src, the link's target`, { field: 'src' });
      if (!linking && raw.src !== undefined) throw new ModuleArgsError(`only states 'link' and 'hard' take src`, { field: 'src' });
      if (state === 'hard') requireAbsolutePath(raw.src, 'src');
      if (state === 'link') rejectControlCharacters(raw.src as string, 'src');
      if (state === 'link' && raw.mode !== undefined) throw new ModuleArgsError('a symbolic link has no mode of its own (Linux ignores it); set the mode on its target', { field: 'mode' });
      if (state === 'absent') {
        for (const field of ['owner', 'group', 'mode'] as const) {
          if (raw[field] !== undefined) throw new ModuleArgsError(`state 'absent' removes the path; it takes no ${field}`, { field });
        }
        if (normalize(args.path) === '/') throw new ModuleArgsError('refusing to remove /', { field: 'path' });
      }
      if (raw.recurse !== undefined && state !== 'directory') throw new ModuleArgsError(`only state 'directory' takes recurse`, { field: 'recurse' });
      if (raw.force !== undefined && !linking) throw new ModuleArgsError(`only states 'link' and 'hard' take force`, { field: 'force' });
    },
  },
);

export type FileArgs = SchemaArgs<typeof fileArgs>;

export interface FileData {
  path: string;
  /** What the path was when probed, before any change. */
  found: PathState['type'];
}

export const file = defineModule<FileArgs, FileData>({
  name: 'file',
  batchProbes: true,

  schema: fileArgs,
  validate: fileArgs.validate,

  async plan(ctx, args) {
    const path = normalize(args.path);
    const follow = args.state === 'file' || args.state === 'directory' || args.state === 'touch';
    const script = [HEADER_SCRIPT, pathProbeScript('path', path, { follow }), `if [ -d ${quote(parentOf(path))} ]; then echo parent=directory; fi`];
    if (args.state === 'hard') script.push(pathProbeScript('src', args.src ?? '', { follow: true }));
    if (args.state === 'link') {
      script.push(`if (cd ${quote(parentOf(path))} 2>/dev/null && [ -e ${quote(args.src ?? '')} ]); then echo src=exists; fi`);
    }
    if (args.state === 'directory' && args.recurse) script.push(treeProbeScript(path));
    const facts = parseProbeOutput((await runChecked(ctx, script.join('\n'), `probe of ${path}`, { probe: true })).stdout);
    const header = readHeader(facts);
    const state = readPathState(facts, 'path');
    const data: FileData = { path, found: state.type };
    const mode = args.mode === undefined ? undefined : parseMode(args.mode);
    const wanted: WantedAttributes = { owner: args.owner, group: args.group, mode };
    const parentExists = facts.get('parent')?.[0] === 'directory';
    const fail: (message: string) => never = (message) => {
      throw new TaskFailedError(`${path} ${message}`);
    };

    switch (args.state) {
      case 'absent':
        if (state.type === 'absent') return { changes: [], data };
        return { changes: [command(ctx, `remove ${path}${state.type === 'directory' ? ' and everything in it' : ''}`, `rm -rf -- ${quote(path)}`)], data };

      case 'file':
        if (state.type === 'absent') fail(`does not exist; state 'file' only sets an existing file's attributes (use 'touch', copy or template to create it)`);
        if (state.type === 'directory') fail(`is a directory, not a file`);
        return { changes: attributes(ctx, path, state, wanted, header), data };

      case 'touch':
        if (state.type !== 'absent') return { changes: attributes(ctx, path, state, wanted, header), data };
        if (!parentExists) fail(`cannot be created: its directory ${parentOf(path)} does not exist`);
        return { changes: [create(ctx, path, false, wanted, header.umask)], data };

      case 'directory':
        if (state.type === 'absent') return { changes: [create(ctx, path, true, wanted, header.umask)], data };
        if (state.type !== 'directory') fail(`exists and is a ${state.type === 'other' ? 'special file' : state.type}, not a directory`);
        if (!args.recurse) return { changes: attributes(ctx, path, state, wanted, header), data };
        {
          const drift = treeDrift(readTree(facts), wanted, header.umask);
          if (drift.length === 0) return { changes: [], data };
          const lines = attributeCommandsRecursive(path, wanted);
          return { changes: [command(ctx, `${path} and everything in it: ${drift.join(', ')}`, lines.join(' && '))], data };
        }

      case 'link':
      case 'hard': {
        const link: LinkFacts = {
          path,
          src: args.src ?? '',
          hard: args.state === 'hard',
          force: args.force ?? false,
          state,
          srcState: args.state === 'hard' ? readPathState(facts, 'src') : undefined,
          srcExists: args.state === 'hard' ? undefined : facts.get('src')?.[0] === 'exists',
          parentExists,
          header,
        };
        return { changes: planLink(ctx, link, wanted), data };
      }
    }
  },
});

/** Absolute, without `.`/`..` steps or a trailing slash. */
function normalize(path: string): string {
  const clean = posix.normalize(path);
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}

function command(ctx: ModuleContext, summary: string, line: string): Change<FileData> {
  return {
    summary,
    async apply() {
      await runChecked(ctx, line, summary);
    },
  };
}

function attributes(ctx: ModuleContext, path: string, state: PresentPath, wanted: WantedAttributes, header: ProbeHeader): Change<FileData>[] {
  const drift = attributeDrift(state, wanted, header);
  if (drift.summaries.length === 0) return [];
  return [command(ctx, `${path}: ${drift.summaries.join(', ')}`, attributeCommands(path, drift).join(' && '))];
}

/** A new empty file (written atomically with its final attributes) or a new directory. */
function create(ctx: ModuleContext, path: string, directory: boolean, wanted: WantedAttributes, umask: number): Change<FileData> {
  const base = defaultMode(directory, umask);
  const mode = wanted.mode ? resolveMode(wanted.mode, base, directory, umask) : base;
  const details = [`mode ${formatMode(mode)}`, ...(wanted.owner ? [`owner ${wanted.owner}`] : []), ...(wanted.group ? [`group ${wanted.group}`] : [])].join(', ');
  if (!directory) {
    const write = atomicWriteCommand({ dest: path, size: 0, mode, owner: wanted.owner, group: wanted.group });
    return {
      summary: `create empty file ${path} (${details})`,
      async apply() {
        await runChecked(ctx, write, `creating ${path}`, { stdin: '' });
      },
    };
  }
  // Created private, then given its owner and final mode, so it is never more open than asked.
  const lines = [`mkdir -p -- ${quote(parentOf(path))}`, `mkdir -m 700 -- ${quote(path)}`, ...attributeCommands(path, { owner: wanted.owner, group: wanted.group, mode })];
  return command(ctx, `create directory ${path} (${details})`, lines.join(' && '));
}

function attributeCommandsRecursive(path: string, wanted: WantedAttributes): string[] {
  const lines: string[] = [];
  const spec = chownSpec(wanted.owner, wanted.group);
  if (spec !== undefined) lines.push(`chown -R -H -h -- ${quote(spec)} ${quote(path)}`);
  if (wanted.mode) lines.push(`chmod -R -- ${quote(chmodArgument(wanted.mode))} ${quote(path)}`);
  return lines;
}
