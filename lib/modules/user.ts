import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { isSecret, reveal, type Secret } from '../secret.ts';
import { quote } from '../shell.ts';
import { optionalAccountId, optionalAccountName, optionalAccountNames, parsePasswdLine, requireAccountName } from './support/account-args.ts';
import { oneOf, optionalAbsolutePath, optionalBoolean, optionalString, requireObject } from './support/args.ts';
import { parseProbeOutput } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { parseUserFacts, userAddOptions, userModification, userProbeScript, type UserFacts } from './support/user-diff.ts';

export interface UserArgs {
  name: string;
  /** Default present. */
  state?: 'present' | 'absent';
  uid?: number;
  /** The primary group (it must exist). On creation without it: a group named like the user. */
  group?: string;
  /** Supplementary groups (they must exist): exactly these, or with append at least these. */
  groups?: string[];
  append?: boolean;
  shell?: string;
  /** The home directory; changing it on an existing user does not move the old one. */
  home?: string;
  /** On creation: make the home directory (default true). */
  createHome?: boolean;
  /** On creation: a system account (uid from the system range). */
  system?: boolean;
  /** The GECOS field. */
  comment?: string;
  /** A crypt(3) hash ('$y$...', '$6$...') or '!' / '*' to lock the password; never a plain password. */
  password?: string | Secret;
  /** 'always' (default): set the hash whenever it differs; 'onCreate': only for a new user. */
  updatePassword?: 'always' | 'onCreate';
  /** With state absent: also remove the home directory and mail spool (userdel -r). */
  remove?: boolean;
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

const KNOWN = ['name', 'state', 'uid', 'group', 'groups', 'append', 'shell', 'home', 'createHome', 'system', 'comment', 'password', 'updatePassword', 'remove'] as const;
const CRYPT_HASH = /^\$[0-9a-z]+\$[^:\s]+$|^[!*][^:\s]*$/;

export const user = defineModule<UserArgs, UserData>({
  name: 'user',
  batchProbes: true,

  validate(args) {
    const raw = requireObject(args, KNOWN);
    requireAccountName(raw.name, 'name');
    const state = raw.state === undefined ? 'present' : oneOf(raw.state, ['present', 'absent'], 'state');
    optionalAccountId(raw.uid, 'uid');
    optionalAccountName(raw.group, 'group');
    optionalAccountNames(raw.groups, 'groups');
    optionalBoolean(raw.append, 'append');
    optionalAbsolutePath(raw.shell, 'shell');
    optionalAbsolutePath(raw.home, 'home');
    optionalBoolean(raw.createHome, 'createHome');
    optionalBoolean(raw.system, 'system');
    optionalBoolean(raw.remove, 'remove');
    const comment = optionalString(raw.comment, 'comment');
    if (comment !== undefined && /[:\n\r\x00]/.test(comment)) throw new ModuleArgsError('must not contain ":" or a newline', { field: 'comment' });
    if (raw.updatePassword !== undefined) oneOf(raw.updatePassword, ['always', 'onCreate'], 'updatePassword');
    if (raw.password !== undefined) {
      if (typeof raw.password !== 'string' && !isSecret(raw.password)) throw new ModuleArgsError('must be a string or a Secret holding a crypt(3) hash', { field: 'password' });
      if (!CRYPT_HASH.test(reveal(raw.password))) {
        throw new ModuleArgsError("must be a crypt(3) hash such as '$y$...' or '$6$...' (make one with `mkpasswd -m yescrypt`), or '!' to lock; a plain password is refused", {
          field: 'password',
        });
      }
    }
    if (raw.append === true && raw.groups === undefined) throw new ModuleArgsError('append only has a meaning with groups', { field: 'append' });
    if (state === 'absent') {
      const extra = KNOWN.filter((key) => !['name', 'state', 'remove'].includes(key) && raw[key] !== undefined);
      if (extra.length) throw new ModuleArgsError(`state 'absent' takes only name and remove`, { field: extra[0] ?? 'state' });
    } else if (raw.remove !== undefined) {
      throw new ModuleArgsError(`only state 'absent' takes remove`, { field: 'remove' });
    }
    return args;
  },

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
    const steps = [
      ...(modification.options.length ? [['usermod', ...modification.options.map((o) => quote(o)), name].join(' ')] : []),
      ...(modification.setPassword ? ['chpasswd -e'] : []),
    ];
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
