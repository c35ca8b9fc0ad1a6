import { TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { quote } from '../shell.ts';
import { optionalAccountId, parseGroupLine, requireAccountName } from './support/account-args.ts';
import { optionalBoolean } from './support/args.ts';
import { parseProbeOutput } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { argsSchema, choice, choiceType, optional, PRESENCE, required, type SchemaArgs } from './support/schema.ts';

export const groupArgs = argsSchema(
  {
    name: required('string', requireAccountName, 'The group name.'),
    state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: the group exists; absent: it is removed.', "'present'"),
    gid: optional('number', optionalAccountId, "The group's id; an existing group with another gid is changed to it (groupmod -g)."),
    system: optional('boolean', optionalBoolean, 'Create it as a system group (a gid from the system range); an existing group is left as it is.'),
  },
  {
    summary: 'A local group (groupadd, groupmod -g, groupdel).',
    checkMode: 'One probe (`getent group`); reports `create group ops (gid 2345)`, `group web: gid 2401 -> 2400` or `remove group x`; a gid held by another group fails.',
  },
);

export type GroupArgs = SchemaArgs<typeof groupArgs>;

export interface GroupData {
  name: string;
  /** The gid the group has (or will have, when known); absent when it does not exist. */
  gid: number;
}

/** One probe: the group's entry, and who holds the wanted gid. */
function probeScript(args: GroupArgs): string {
  const lines = [`if e=$(getent group ${quote(args.name)}); then printf 'group=%s\\n' "$e"; fi`];
  if (args.gid !== undefined) lines.push(`if o=$(getent group ${args.gid}); then printf 'gidOwner=%s\\n' "\${o%%:*}"; fi`);
  return lines.join('\n');
}

export const group = defineModule<GroupArgs, GroupData>({
  name: 'group',
  batchProbes: true,

  schema: groupArgs,
  validate: groupArgs.validate,

  async plan(ctx, args) {
    const facts = parseProbeOutput((await runChecked(ctx, probeScript(args), `probe of group ${args.name}`, { probe: true })).stdout);
    const entry = facts.get('group')?.[0];
    const current = entry === undefined ? undefined : parseGroupLine(entry);
    const gidOwner = facts.get('gidOwner')?.[0];
    const name = quote(args.name);

    if (args.state === 'absent') {
      if (!current) return { changes: [] };
      const remove: Change<GroupData> = {
        summary: `remove group ${args.name} (gid ${current.gid})`,
        async apply() {
          await runChecked(ctx, `groupdel ${name}`, `removing group ${args.name}`);
        },
      };
      return { changes: [remove], data: { name: args.name, gid: current.gid } };
    }

    if (args.gid !== undefined && gidOwner !== undefined && gidOwner !== args.name) {
      throw new TaskFailedError(`gid ${args.gid} is already used by group ${gidOwner}`);
    }
    if (!current) {
      const options = [...(args.gid !== undefined ? ['-g', String(args.gid)] : []), ...(args.system ? ['-r'] : [])];
      const create: Change<GroupData> = {
        summary: `create group ${args.name}${args.gid !== undefined ? ` (gid ${args.gid})` : args.system ? ' (system)' : ''}`,
        async apply() {
          const command = ['groupadd', ...options, name, '&&', 'getent', 'group', name].join(' ');
          const made = parseGroupLine((await runChecked(ctx, command, `creating group ${args.name}`)).stdout.trim());
          return { data: { gid: made.gid } };
        },
      };
      return { changes: [create], data: { name: args.name, ...(args.gid !== undefined ? { gid: args.gid } : {}) } };
    }
    if (args.gid !== undefined && args.gid !== current.gid) {
      const renumber: Change<GroupData> = {
        summary: `group ${args.name}: gid ${current.gid} -> ${args.gid}`,
        async apply() {
          await runChecked(ctx, `groupmod -g ${args.gid} ${name}`, `changing the gid of group ${args.name}`);
        },
      };
      return { changes: [renumber], data: { name: args.name, gid: args.gid } };
    }
    return { changes: [], data: { name: args.name, gid: current.gid } };
  },
});
