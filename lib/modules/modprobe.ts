import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change, type ModuleContext } from '../module.ts';
import { quote } from '../shell.ts';
import { planContentFromFacts } from './support/content-plan.ts';
import { contentProbesScript, factsOf } from './support/content-probes.ts';
import { parseMode } from './support/mode.ts';
import { parseProbeOutput, readPathState } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { argsSchema, checkedAcross, choice, choiceType, optional, PRESENCE, required, type SchemaArgs } from './support/schema.ts';

const PERSISTENCE = ['present', 'absent', 'disabled'] as const;
const LOAD = ['required', 'bestEffort'] as const;

export const modprobeArgs = argsSchema(
  {
    name: required('string', moduleName, "The kernel module ('br_netfilter'; '-' and '_' are the same to the kernel)."),
    state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: loaded; absent: unloaded.', "'present'"),
    params: optional(
      'string | Record<string, string | number | boolean>',
      checkedAcross<string | Record<string, string | number | boolean>>(),
      "Parameters for loading it ('max_loop=8' or { max_loop: 8 }), also persisted when persistent is present.",
    ),
    persistent: optional(
      choiceType(PERSISTENCE),
      choice(PERSISTENCE),
      'present: /etc/modules-load.d/NAME.conf loads it at boot (and /etc/modprobe.d/NAME.conf holds its params); absent: those two files are removed; disabled: they are left alone.',
      "'disabled'",
    ),
    load: optional(
      choiceType(LOAD),
      choice(LOAD),
      'required: a module that cannot be loaded or unloaded here fails the task; bestEffort: it is reported in data.note and the rest (persistence) still happens.',
      "'required'",
    ),
  },
  {
    summary: 'A kernel module loaded or unloaded, and optionally loaded at boot.',
    checkMode:
      'One probe (both files, /proc/modules, /sys/module, and what stops modprobe: no module support, no kmod, no CAP_SYS_MODULE, modules_disabled); reports file changes with a diff and `load module x`; a module that cannot be loaded fails already in check mode (with `required`). Built-in modules count as loaded and cannot be unloaded.',
    notes: [
      'Verified in containers: the test bed\'s kernel has no loadable-module support at all (its drivers are built in, listed under `/sys/module`), and containers lack CAP_SYS_MODULE and kmod. Persistence is tested for real, "loaded" on a built-in module (`overlay`), and the failure and `bestEffort` paths on a module that would need loading; actually running `modprobe` is **not** verified here.',
    ],
    across(args) {
      const state = args.state ?? 'present';
      const params: unknown = args.params;
      if (params !== undefined) {
        if (typeof params !== 'string' && (typeof params !== 'object' || params === null || Array.isArray(params))) {
          throw new ModuleArgsError('must be a string (name=value ...) or an object of name: value', { field: 'params' });
        }
        if (state === 'absent') throw new ModuleArgsError(`state 'absent' takes no params`, { field: 'params' });
        renderParams(args.params);
      }
      if (state === 'absent' && args.persistent === 'present') throw new ModuleArgsError(`state 'absent' with persistent 'present' contradict each other`, { field: 'persistent' });
    },
  },
);

export type ModprobeArgs = SchemaArgs<typeof modprobeArgs>;

function moduleName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !MODULE_NAME.test(value)) throw new ModuleArgsError(`must be a kernel module name, got ${JSON.stringify(value)}`, { field });
  return value;
}

export interface ModprobeData {
  name: string;
  /** Loaded (or built into the kernel) when probed. */
  loaded: boolean;
  builtin: boolean;
  /** Why the module was not loaded or unloaded, with load: bestEffort. */
  note: string;
}

const MODULE_NAME = /^[A-Za-z0-9_-]+$/;
const PARAM_NAME = /^[A-Za-z0-9_.-]+$/;
const CAP_SYS_MODULE = 16;

/** 'a=1 b=x' from a string or an object; values with blanks are refused (modprobe.d cannot hold them). */
export function renderParams(params: ModprobeArgs['params']): string {
  if (params === undefined) return '';
  const words =
    typeof params === 'string'
      ? params
          .trim()
          .split(/\s+/)
          .filter((w) => w !== '')
      : Object.entries(params).map(([k, v]) => `${k}=${String(v)}`);
  for (const word of words) {
    const [key, value] = [word.slice(0, word.indexOf('=') < 0 ? word.length : word.indexOf('=')), word.slice(word.indexOf('=') + 1)];
    if (!PARAM_NAME.test(key) || /[\s"'\\]/.test(value)) throw new ModuleArgsError(`not a module parameter (name=value without blanks or quotes): ${JSON.stringify(word)}`, { field: 'params' });
  }
  return words.join(' ');
}

/** The module's state and what would stop modprobe, read from /proc and /sys in the same probe as the files. */
function stateScript(name: string): string {
  const sysName = name.replace(/-/g, '_');
  return [
    `if [ -r /proc/modules ] && grep -q ${quote(`^${sysName} `)} /proc/modules; then echo mod.state=loaded`,
    `elif [ -d ${quote(`/sys/module/${sysName}`)} ]; then echo mod.state=builtin`,
    'else echo mod.state=absent; fi',
    `[ -e /proc/modules ] || echo 'mod.blocker=the kernel has no loadable module support (no /proc/modules)'`,
    `command -v modprobe >/dev/null 2>&1 || echo 'mod.blocker=modprobe is not installed (package kmod)'`,
    `ploy_cap=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)`,
    `[ $(( 0x$ploy_cap >> ${CAP_SYS_MODULE} & 1 )) = 1 ] || echo 'mod.blocker=no CAP_SYS_MODULE capability (a container, or not root)'`,
    `[ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null)" != 1 ] || echo 'mod.blocker=module loading is disabled (kernel.modules_disabled=1)'`,
  ].join('\n');
}

export const modprobe = defineModule<ModprobeArgs, ModprobeData>({
  name: 'modprobe',
  batchProbes: true,

  schema: modprobeArgs,
  validate: modprobeArgs.validate,

  async plan(ctx, args) {
    const loadFile = `/etc/modules-load.d/${args.name}.conf`;
    const optionsFile = `/etc/modprobe.d/${args.name}.conf`;
    const params = renderParams(args.params);
    const script = [contentProbesScript({ load: loadFile, options: optionsFile }), stateScript(args.name)].join('\n');
    const facts = parseProbeOutput((await runChecked(ctx, script, `probe of module ${args.name}`, { probe: true })).stdout);
    const modState = facts.get('mod.state')?.[0];
    const blockers = facts.get('mod.blocker') ?? [];
    const data: ModprobeData = { name: args.name, loaded: modState !== 'absent', builtin: modState === 'builtin', note: '' };
    const changes: Change<ModprobeData>[] = [];
    const persistent = args.persistent ?? 'disabled';

    if (persistent === 'present') {
      changes.push(...(await fileChanges(ctx, loadFile, `${args.name}\n`, factsOf(facts, 'load'))));
      if (params) changes.push(...(await fileChanges(ctx, optionsFile, `options ${args.name} ${params}\n`, factsOf(facts, 'options'))));
    } else if (persistent === 'absent') {
      for (const [name, path] of [
        ['load', loadFile],
        ['options', optionsFile],
      ] as const) {
        if (readPathState(factsOf(facts, name), 'dest').type === 'absent') continue;
        changes.push({ summary: `remove ${path}`, apply: async () => void (await runChecked(ctx, `rm -f -- ${quote(path)}`, `removing ${path}`)) });
      }
    }

    const wantLoaded = (args.state ?? 'present') === 'present';
    if (wantLoaded !== data.loaded) {
      const verb = wantLoaded ? 'load' : 'unload';
      const reasons = !wantLoaded && data.builtin ? ['it is built into the kernel'] : blockers;
      if (reasons.length) {
        const why = `cannot ${verb} module ${args.name} here: ${reasons.join('; ')}`;
        if ((args.load ?? 'required') === 'required') throw new TaskFailedError(`${why} (load: 'bestEffort' goes on without it)`);
        data.note = why;
      } else {
        const command = wantLoaded ? ['modprobe', '--', quote(args.name), ...(params ? params.split(' ').map((w) => quote(w)) : [])].join(' ') : `modprobe -r -- ${quote(args.name)}`;
        changes.push({
          summary: `${verb} module ${args.name}${wantLoaded && params ? ` (${params})` : ''}`,
          apply: async () => void (await runChecked(ctx, command, `${verb}ing module ${args.name}`)),
        });
      }
    }
    return { changes, data };
  },
});

async function fileChanges(ctx: ModuleContext, dest: string, content: string, facts: Map<string, string[]>): Promise<Change<ModprobeData>[]> {
  const plan = await planContentFromFacts(ctx, { dest, content, owner: 'root', group: 'root', mode: parseMode('0644'), directoryMode: parseMode('0755') }, facts);
  return plan.changes.map((change) => ({ summary: change.summary, ...(change.diff ? { diff: change.diff } : {}), apply: async () => void (await change.apply()) }));
}
