import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { quote } from '../shell.ts';
import { parsePasswdLine, requireAccountName } from './support/account-args.ts';
import { optionalAbsolutePath, optionalBoolean } from './support/args.ts';
import { attributeCommands, attributeDrift } from './support/attributes.ts';
import { editAuthorizedKeys, keyIdentity, parseKeyLine, type AuthorizedKey } from './support/authorized-keys.ts';
import { contentProbeScript, planContentFromFacts } from './support/content-plan.ts';
import { formatMode, parseMode } from './support/mode.ts';
import { parseProbeOutput, pathProbeScript, readHeader, readPathState, type ShellPath } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { digestTextProbe, readProbedText, textProbeScript } from './support/text-probe.ts';
import { argsSchema, choice, choiceType, optional, PRESENCE, required, type SchemaArgs } from './support/schema.ts';

export const authorizedKeyArgs = argsSchema(
  {
    user: required('string', requireAccountName, 'Whose file: ~user/.ssh/authorized_keys, owned by the user.'),
    key: required('string | string[]', keyLines, 'One or more public key lines (a string may hold several lines; blank and # lines are skipped).'),
    state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: the keys are in the file; absent: they are removed from it.', "'present'"),
    exclusive: optional('boolean', optionalBoolean, 'present only: the file ends up holding exactly these keys.'),
    path: optional('string', optionalAbsolutePath, 'Another file than ~user/.ssh/authorized_keys (still owned by the user).'),
    manageDir: optional('boolean', optionalBoolean, "Create the file's directory (mode 0700, owned by the user) and keep it so.", 'true'),
  },
  {
    summary: "Public keys in a user's authorized_keys, as ansible.posix.authorized_key.",
    checkMode:
      "One probe (the user's home, the file's stat, sha256 and text, the directory); reports each key added, replaced or removed, and directory or file mode and owner drift; `--diff` shows the file's diff without a second read; writes nothing.",
    notes: [
      'Keys are compared by type and blob, as Ansible does: the same key with other options or another comment has its line replaced in place. A key given without a comment removes the comment of the same key in the file (Ansible compares comments too).',
      "`exclusive` drops every other line, comments included, as Ansible's does.",
    ],
    across(args) {
      if (args.exclusive === true && args.state === 'absent') throw new ModuleArgsError(`only state 'present' takes exclusive`, { field: 'exclusive' });
    },
  },
);

export type AuthorizedKeyArgs = SchemaArgs<typeof authorizedKeyArgs>;

function keyLines(value: unknown, field: string): string | string[] {
  if (typeof value !== 'string' && !(Array.isArray(value) && value.every((k) => typeof k === 'string'))) {
    throw new ModuleArgsError('must be a public key line or a list of them', { field });
  }
  keysOf(value as string | string[]);
  return value as string | string[];
}

export interface AuthorizedKeyData {
  path: string;
  /** The keys the file holds afterwards. */
  keys: number;
}

const FILE_MODE = parseMode('0600');
const DIR_MODE = 0o700;

/** The key lines of a key argument, parsed; an invalid one is an argument error naming it. */
export function keysOf(key: string | readonly string[]): AuthorizedKey[] {
  const lines = (typeof key === 'string' ? [key] : key).flatMap((text) => text.split('\n')).filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  if (lines.length === 0) throw new ModuleArgsError('holds no key', { field: 'key' });
  const keys = lines.map((line) => {
    const parsed = parseKeyLine(line);
    if (!parsed)
      throw new ModuleArgsError(`not a public key line (options, a known key type, a base64 blob, a comment): ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line)}`, {
        field: 'key',
      });
    return parsed;
  });
  const ids = keys.map(keyIdentity);
  const twice = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (twice >= 0) throw new ModuleArgsError(`the same key is given twice (${keys[twice]?.comment || ids[twice]?.slice(0, 40)})`, { field: 'key' });
  return keys;
}

export const authorizedKey = defineModule<AuthorizedKeyArgs, AuthorizedKeyData>({
  name: 'authorizedKey',
  batchProbes: true,

  schema: authorizedKeyArgs,
  validate: authorizedKeyArgs.validate,

  async plan(ctx, args) {
    const state = args.state ?? 'present';
    const dest: string | ShellPath = args.path ?? { shell: '"$ploy_home"/.ssh/authorized_keys' };
    const dir: string | ShellPath = typeof dest === 'string' ? dest.replace(/\/[^/]+$/, '') || '/' : { shell: '"$ploy_home"/.ssh' };
    const script = [
      `ploy_home=; if e=$(getent passwd ${quote(args.user)}); then printf 'passwd=%s\\n' "$e"; ploy_rest=\${e#*:*:*:*:*:}; ploy_home=\${ploy_rest%%:*}; fi`,
      contentProbeScript(dest, { sha256: false }),
      textProbeScript('keys', dest),
      pathProbeScript('dir', dir, { follow: true }),
    ].join('\n');
    const facts = parseProbeOutput((await runChecked(ctx, script, `probe of ${args.user}'s authorized keys`, { probe: true })).stdout);
    digestTextProbe(facts, 'keys', 'dest');
    const entry = facts.get('passwd')?.[0];
    if (entry === undefined) throw new TaskFailedError(`user ${args.user} does not exist`);
    const account = parsePasswdLine(entry);
    const path = args.path ?? `${account.home === '/' ? '' : account.home}/.ssh/authorized_keys`;
    const dirPath = path.replace(/\/[^/]+$/, '') || '/';

    const current = readProbedText(facts, 'keys', path, 'authorizedKey edits text files only');
    const fileState = readPathState(facts, 'dest');
    if (state === 'absent' && fileState.type === 'absent') return { changes: [], data: { path, keys: 0 } };
    const edit = editAuthorizedKeys(current ?? '', keysOf(args.key), state, args.exclusive ?? false);
    const data = { path, keys: edit.text.split('\n').filter((line) => parseKeyLine(line)).length };

    const changes: Change<AuthorizedKeyData>[] = [];
    const dirState = readPathState(facts, 'dir');
    const manageDir = state === 'present' && (args.manageDir ?? true);
    if (manageDir && dirState.type === 'absent') {
      changes.push({
        summary: `create ${dirPath} (mode ${formatMode(DIR_MODE)}, owner ${args.user})`,
        async apply() {
          await runChecked(ctx, `mkdir -m 0700 -- ${quote(dirPath)} && chown -- ${account.uid}:${account.gid} ${quote(dirPath)}`, `creating ${dirPath}`);
        },
      });
    } else if (manageDir && dirState.type === 'directory') {
      const drift = attributeDrift(dirState, { owner: String(account.uid), group: String(account.gid), mode: parseMode('0700') }, readHeader(facts));
      if (drift.summaries.length) {
        changes.push({
          summary: `${dirPath}: ${drift.summaries.join(', ')}`,
          async apply() {
            await runChecked(ctx, attributeCommands(dirPath, drift).join(' && '), `setting owner/mode of ${dirPath}`);
          },
        });
      }
    } else if (state === 'present' && dirState.type !== 'directory') {
      throw new TaskFailedError(`${dirPath} is not a directory${manageDir ? '' : ' (manageDir is off)'}`);
    }

    const content = await planContentFromFacts(
      ctx,
      { dest: path, content: edit.text, owner: String(account.uid), group: String(account.gid), mode: FILE_MODE, currentText: current, directoryMode: parseMode('0700') },
      facts,
    );
    for (const change of content.changes) {
      changes.push({
        summary: edit.changes.length ? `${path}: ${edit.changes.join(', ')}` : change.summary,
        ...(change.diff ? { diff: change.diff } : {}),
        async apply() {
          await change.apply();
        },
      });
    }
    return { changes, data };
  },
});
