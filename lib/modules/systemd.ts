import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InputError, ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change, type PrepareEnv } from '../module.ts';
import { quote } from '../shell.ts';
import { renderTemplate } from '../template/render.ts';
import type { Vars } from '../vars.ts';
import { optionalBoolean, optionalString, rejectControlCharacters, requireObject } from './support/args.ts';
import { contentProbeScript, planContentFromFacts } from './support/content-plan.ts';
import { parseMode } from './support/mode.ts';
import { parseProbeOutput } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { parseUnitStatus, SHOW_PROPERTIES, unitActions, unitMissing, unitMissingMessage, type UnitStatus } from './support/systemd-actions.ts';
import { argsSchema, choice, choiceType, optional, required, type SchemaArgs } from './support/schema.ts';

const UNIT_STATES = ['started', 'stopped', 'restarted', 'reloaded'] as const;

export const systemdArgs = argsSchema(
  {
    name: required('string', unitNameArg, "The unit: 'web.service', 'backup.timer'; without a suffix '.service' is meant."),
    unit: optional(
      '{ content?: string; template?: { src: string; vars?: Vars } }',
      unitFile,
      "Write /etc/systemd/system/NAME from text or from a template under templates/ (rendered with the host's vars plus vars).",
    ),
    state: optional(choiceType(UNIT_STATES), choice(UNIT_STATES), 'started/stopped only when needed; restarted and reloaded always act (reloaded starts a stopped unit).'),
    enabled: optional('boolean', optionalBoolean, 'Started at boot (systemctl enable / disable).'),
    masked: optional('boolean', optionalBoolean, 'Masked: cannot be started at all (systemctl mask / unmask).'),
    daemonReload: optional('boolean', optionalBoolean, 'daemon-reload when the unit file changed or systemd says it changed on disk; false: never.', 'true'),
  },
  {
    summary: 'A systemd unit: its file, whether it runs, starts at boot or is masked.',
    checkMode:
      "One probe (`systemctl show -p ActiveState,SubState,UnitFileState,LoadState,NeedDaemonReload,FragmentPath` plus the unit file's stat and sha256); reports, in the order they would run, the unit file write (with a diff), `daemon-reload`, `unmask`, `enable`/`disable`, `start`/`stop` (only when needed), `restart`/`reload` (always, as in Ansible; `reloaded` starts a stopped unit), `mask`. An unknown unit that must run, or a masked one, fails. Acts on nothing.",
    notes: [
      '`masked: true` on a unit whose file is `/etc/systemd/system/NAME` is refused up front (systemd cannot put the mask there).',
      'A unit file written by `unit` goes through the same atomic temp-file-then-rename write as `copy`.',
    ],
    across(args) {
      const masked = args.masked;
      if (args.unit !== undefined && masked) throw new ModuleArgsError('a masked unit has no unit file: masked: true and unit contradict each other', { field: 'masked' });
      if (masked && (args.enabled === true || (args.state !== undefined && args.state !== 'stopped'))) {
        throw new ModuleArgsError(`a masked unit can be neither enabled nor ${String(args.state ?? 'started')}`, { field: 'masked' });
      }
      if (args.unit === undefined && args.state === undefined && args.enabled === undefined && args.masked === undefined) {
        throw new ModuleArgsError('nothing to do: give unit, state, enabled or masked', { field: 'name' });
      }
    },
  },
);

export type SystemdArgs = SchemaArgs<typeof systemdArgs>;

function unitNameArg(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UNIT_NAME.test(unitName(value))) {
    throw new ModuleArgsError(`must be a unit name like 'web.service' or 'web' (letters, digits, :_.@\\-, a unit type suffix), got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

function unitFile(value: unknown): { content?: string; template?: { src: string; vars?: Vars } } {
  const unit = requireObject(value, ['content', 'template']);
  if ((unit.content === undefined) === (unit.template === undefined)) throw new ModuleArgsError('give unit.content or unit.template, exactly one', { field: 'unit' });
  optionalString(unit.content, 'unit.content');
  if (unit.template !== undefined) {
    const template = requireObject(unit.template, ['src', 'vars']);
    if (typeof template.src !== 'string' || template.src === '') throw new ModuleArgsError('must name a template under templates/', { field: 'unit.template.src' });
    rejectControlCharacters(template.src, 'unit.template.src');
    if (template.vars !== undefined && (typeof template.vars !== 'object' || template.vars === null || Array.isArray(template.vars))) {
      throw new ModuleArgsError('must be an object of variables', { field: 'unit.template.vars' });
    }
  }
  return unit as { content?: string; template?: { src: string; vars?: Vars } };
}

export interface SystemdData extends Omit<UnitStatus, 'needDaemonReload'> {
  name: string;
  /** The unit file's content was (or, in check mode, would be) rewritten. */
  unitChanged: boolean;
}

const UNIT_NAME = /^[A-Za-z0-9:_.\\@-]+\.(service|socket|timer|target|path|mount|automount|swap|slice|scope)$/;
const UNIT_DIR = '/etc/systemd/system';

/** Unit content rendered by prepare(), per prepared args object, so plan() does not render twice. */
const rendered = new WeakMap<SystemdArgs, string>();

export function unitName(name: string): string {
  return /\.[a-z]+$/.test(name) ? name : `${name}.service`;
}

export const systemd = defineModule<SystemdArgs, SystemdData>({
  name: 'systemd',
  batchProbes: true,

  schema: systemdArgs,
  validate: systemdArgs.validate,

  prepare(args, env) {
    if (args.unit?.template === undefined) return args;
    const prepared = { ...args };
    rendered.set(prepared, render(args.unit.template, env));
    return prepared;
  },

  async plan(ctx, args) {
    const name = unitName(args.name);
    const path = `${UNIT_DIR}/${name}`;
    const content = args.unit === undefined ? undefined : (args.unit.content ?? rendered.get(args) ?? render(args.unit.template ?? { src: '' }, ctx));
    const script = [...(content !== undefined ? [contentProbeScript(path)] : []), `systemctl show -p ${SHOW_PROPERTIES} -- ${quote(name)}`].join('\n');
    const facts = parseProbeOutput((await runChecked(ctx, script, `probe of unit ${name}`, { probe: true })).stdout);
    const status = parseUnitStatus(facts);
    const changes: Change<SystemdData>[] = [];
    let unitChanged = false;
    if (content !== undefined) {
      const plan = await planContentFromFacts(ctx, { dest: path, content, owner: 'root', group: 'root', mode: parseMode('0644') }, facts);
      unitChanged = facts.get('dest.sha256')?.[0] !== createHash('sha256').update(content).digest('hex');
      for (const change of plan.changes) changes.push({ summary: change.summary, ...(change.diff ? { diff: change.diff } : {}), apply: async () => void (await change.apply()) });
    }
    const { needDaemonReload: _, ...shown } = status;
    if (unitMissing(status, { ...args, name }, unitChanged)) {
      // In check mode an earlier task (a template of the unit) may not have written it yet: cannot
      // predict. A real run fails here, as before.
      const missing: Change<SystemdData> = {
        summary: `${name} has no unit file yet`,
        predictable: false,
        reason: `systemd has no unit file for ${name} (yet)`,
        async apply() {
          throw new TaskFailedError(unitMissingMessage(name));
        },
      };
      return { changes: [missing], data: { name, ...shown, unitChanged } };
    }
    for (const action of unitActions(status, { ...args, name }, unitChanged)) {
      changes.push({ summary: action.summary, apply: async () => void (await runChecked(ctx, action.command, action.summary)) });
    }
    return { changes, data: { name, ...shown, unitChanged } };
  },
});

function render(template: { src: string; vars?: Vars }, env: PrepareEnv): string {
  try {
    return renderTemplate({ templatesDir: join(env.projectDir, 'templates'), src: template.src, vars: { ...env.vars, ...template.vars }, displayRoot: env.projectDir });
  } catch (error) {
    if (error instanceof InputError) throw new InputError(error.reason, { ...error.where, host: env.host, field: `unit.template.${error.where?.field ?? 'src'}` }, { cause: error });
    throw error;
  }
}
