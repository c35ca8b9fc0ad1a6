import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { isSecret, reveal, type Secret } from '../secret.ts';
import { quote } from '../shell.ts';
import { optionalAccountId, optionalAccountName, optionalAccountNames, parsePasswdLine, requireAccountName } from './support/account-args.ts';
import { optionalAbsolutePath, optionalBoolean, optionalString } from './support/args.ts';
import { parseProbeOutput } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { parseUserFacts, userAddOptions, userModification, userProbeScript, type UserFacts } from './support/user-diff.ts';
import { argsSchema, choice, choiceType, optional, PRESENCE, required, type SchemaArgs } from './support/schema.ts';

const UPDATE_PASSWORD = ['always', 'onCreate'] as const;

export const userArgs = argsSchema(
  {
    name: required('string', requireAccountName, 'The user name.'),
    state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: the account exists; absent: it is removed.', "'present'"),
    uid: optional('number', optionalAccountId, "The user's id; an existing user with another uid is changed to it."),
    group: optional('string', optionalAccountName, 'The primary group (it must exist). On creation without it: a group named like the user.'),
    groups: optional('string[]', optionalAccountNames, 'Supplementary groups (they must exist): exactly these, or with append at least these.'),
    append: optional('boolean', optionalBoolean, 'With groups: add to these groups, leave the others.'),
    shell: optional('string', optionalAbsolutePath, 'The login shell.'),
    home: optional('string', optionalAbsolutePath, 'The home directory; changing it on an existing user does not move the old one.'),
    createHome: optional('boolean', optionalBoolean, 'On creation: make the home directory.', 'true'),
    system: optional('boolean', optionalBoolean, 'On creation: a system account (uid from the system range).'),
    comment: optional('string', gecos, 'The GECOS field.'),
    password: optional('string | Secret', cryptHash, "A crypt(3) hash ('$y$...', '$6$...') or '!' / '*' to lock the password; never a plain password."),
    updatePassword: optional(choiceType(UPDATE_PASSWORD), choice(UPDATE_PASSWORD), "'always': set the hash whenever it differs; 'onCreate': only for a new user.", "'always'"),
    remove: optional('boolean', optionalBoolean, 'With state absent: also remove the home directory and mail spool (userdel -r).'),
  },
  {
    summary: 'A local user account (useradd, usermod, userdel).',
    checkMode:
      'One probe (`getent passwd`, `id -Gn`, a sha256 of the shadow field so no hash leaves the host); reports each difference (`user kim: groups +docker -web, shell /bin/sh -> /bin/bash, password hash changed`); missing groups or a taken uid fail; changes nothing.',
    notes: [
      "Password hashes travel on `chpasswd -e`'s stdin, never on a command line. Changing `home` does not move the old directory. Without `group`, a new user gets its own group, or joins an existing group of its name.",
    ],
    across(args) {
      if (args.append === true && args.groups === undefined) throw new ModuleArgsError('append only has a meaning with groups', { field: 'append' });
      if (args.state === 'absent') {
        const extra = Object.entries(args).find(([key, value]) => !['name', 'state', 'remove'].includes(key) && value !== undefined);
        if (extra) throw new ModuleArgsError(`state 'absent' takes only name and remove`, { field: extra[0] });
      } else if (args.remove !== undefined) {
        throw new ModuleArgsError(`only state 'absent' takes remove`, { field: 'remove' });
      }
    },
  },
);

export type UserArgs = SchemaArgs<typeof userArgs>;

function gecos(value: unknown, field: string): string | undefined {
  const comment = optionalString(value, field);
  if (comment !== undefined && /[:\n\r\x00]/.test(comment)) throw new ModuleArgsError('must not contain ":" or a newline', { field });
  return comment;
}

function cryptHash(value: unknown, field: string): string | Secret {
  if (typeof value !== 'string' && !isSecret(value)) throw new ModuleArgsError('must be a string or a Secret holding a crypt(3) hash', { field });
  if (!CRYPT_HASH.test(reveal(value))) {
    throw new ModuleArgsError("must be a crypt(3) hash such as '$y$...' or '$6$...' (make one with `mkpasswd -m yescrypt`), or '!' to lock; a plain password is refused", { field });
  }
  return value;
}

export interface UserData {
  name: string;
  uid: number;
  /** Primary group name. */
  group: string;
  /** Supplementary groups, as probed (before the change). */
  groups: string[];
  home: string;
  shell: string;
}

const CRYPT_HASH = /^\$[0-9a-z]+\$[^:\s]+$|^[!*][^:\s]*$/;

export const user = defineModule<UserArgs, UserData>({
  name: 'user',
  batchProbes: true,

  schema: userArgs,
  validate: userArgs.validate,

  async plan(ctx, args) {
    const named = [...new Set([...(args.group !== undefined ? [args.group] : []), ...(args.groups ?? []), args.name])];
    const script = userProbeScript(args, named, args.password !== undefined);
    const facts = parseUserFacts(parseProbeOutput((await runChecked(ctx, script, `probe of user ${args.name}`, { probe: true })).stdout));
    const name = quote(args.name);
    const current = facts.entry;

    if (args.state === 'absent') {
      if (!current) return { changes: [] };
      const remove: Change<UserData> = {
        summary: `remove user ${args.name} (uid ${current.uid})${args.remove ? ' with its home directory' : ''}`,
        async apply() {
          await runChecked(ctx, `userdel ${args.remove ? '-r ' : ''}${name}`, `removing user ${args.name}`);
        },
      };
      return { changes: [remove], data: dataOf(facts) };
    }

    const missing = [...(args.group !== undefined ? [args.group] : []), ...(args.groups ?? [])].filter((g) => !facts.knownGroups.has(g));
    if (missing.length) throw new TaskFailedError(`group${missing.length > 1 ? 's' : ''} ${missing.join(', ')} do${missing.length > 1 ? '' : 'es'} not exist (create with the group module first)`);
    if (args.uid !== undefined && facts.uidOwner !== undefined && facts.uidOwner !== args.name) {
      throw new TaskFailedError(`uid ${args.uid} is already used by user ${facts.uidOwner}`);
    }
    if (args.password !== undefined && args.updatePassword !== 'onCreate' && facts.shadowSha256 === 'unreadable' && current) {
      throw new TaskFailedError('cannot read /etc/shadow to compare the password hash: run the task as root (become)');
    }
    const stdin = args.password === undefined ? undefined : `${args.name}:${reveal(args.password)}\n`;

    if (!current) {
      const options = userAddOptions(facts, args, args.createHome ?? true, args.system ?? false);
      const details = describeNew(args, options);
      const create: Change<UserData> = {
        summary: `create user ${args.name}${details ? ` (${details})` : ''}`,
        async apply() {
          const steps = [['useradd', ...options.map((o) => quote(o)), name].join(' '), ...(stdin ? ['chpasswd -e'] : []), `getent passwd ${name}`];
          const result = await runChecked(ctx, steps.join(' && '), `creating user ${args.name}`, stdin ? { stdin } : {});
          const made = parsePasswdLine(result.stdout.trim());
          return { data: { uid: made.uid, home: made.home, shell: made.shell } };
        },
      };
      return { changes: [create], data: { name: args.name, ...(args.uid !== undefined ? { uid: args.uid } : {}) } };
    }

    const modification = userModification(facts, args);
    if (modification.summaries.length === 0) return { changes: [], data: dataOf(facts) };
    const steps = [...(modification.options.length ? [['usermod', ...modification.options.map((o) => quote(o)), name].join(' ')] : []), ...(modification.setPassword ? ['chpasswd -e'] : [])];
    const modify: Change<UserData> = {
      summary: `user ${args.name}: ${modification.summaries.join(', ')}`,
      async apply() {
        await runChecked(ctx, steps.join(' && '), `changing user ${args.name}`, modification.setPassword && stdin ? { stdin } : {});
      },
    };
    return { changes: [modify], data: dataOf(facts) };
  },
});

function dataOf(facts: UserFacts): Partial<UserData> {
  const entry = facts.entry;
  if (!entry) return {};
  return { name: entry.name, uid: entry.uid, group: facts.primary ?? String(entry.gid), groups: facts.groups ?? [], home: entry.home, shell: entry.shell };
}

function describeNew(args: UserArgs, options: string[]): string {
  const group = options[options.indexOf('-g') + 1];
  return [
    ...(args.uid !== undefined ? [`uid ${args.uid}`] : []),
    ...(options.includes('-g') && group !== undefined ? [`group ${group}`] : []),
    ...(args.groups?.length ? [`groups ${args.groups.join(',')}`] : []),
    ...(args.shell !== undefined ? [`shell ${args.shell}`] : []),
    ...(args.home !== undefined ? [`home ${args.home}`] : []),
    ...(args.system ? ['system'] : []),
    ...(args.password !== undefined ? ['password set'] : []),
  ].join(', ');
}
