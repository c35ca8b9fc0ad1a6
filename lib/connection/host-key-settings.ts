import { InputError } from '../errors.ts';
import { splitShellWords, sshOptionFromArgs, type Where } from './proxy-jump.ts';
import { expandSshPath, type SshConfigEntry } from './ssh-config.ts';

/** `strict`: an unknown key is refused. `accept-new`: it is recorded and accepted. A changed key is always refused. */
export type HostKeyChecking = 'strict' | 'accept-new';

export interface HostKeySettings {
  /** Checked in order; new keys go to the first. Absent: the pool's default. */
  knownHostsFiles?: string[];
  /** Absent: the pool's default. */
  hostKeyChecking?: HostKeyChecking;
}

/** One ssh argument string from the inventory (ansible_ssh_common_args, ansible_ssh_extra_args). */
export interface SshArgs {
  args: string;
  where: Where;
}

/**
 * UserKnownHostsFile and StrictHostKeyChecking for one host, as ssh would take them: the first
 * `-o` in the inventory's ssh args (common args before extra args, as Ansible orders them), else
 * the ssh config. What neither sets is left to the ConnectionPool's options (see pool.ts for how
 * --accept-new-host-keys overrides a host's own `strict`). `tokens` expand ~, %d, %u, %h, %r in
 * file names; `configHost` is who errors in the ssh config are reported for.
 */
export function hostKeySettingsFor(args: SshArgs[], config: SshConfigEntry, configHost: { host: string; field: string }, tokens: { host: string; user: string }): HostKeySettings {
  const settings: HostKeySettings = {};
  const files = fromArgs(args, 'UserKnownHostsFile');
  const fileWords = files ? splitShellWords(files.value, files.where) : config.userKnownHostsFiles;
  if (fileWords && fileWords.length > 0) {
    settings.knownHostsFiles = fileWords.map((file) => (file.toLowerCase() === 'none' ? '/dev/null' : expandSshPath(file, tokens)));
  }
  const checking = fromArgs(args, 'StrictHostKeyChecking');
  const configWhere: Where = { ...configHost, ...(config.file ? { file: config.file } : {}) };
  if (checking) settings.hostKeyChecking = parseHostKeyChecking(checking.value, checking.where);
  else if (config.strictHostKeyChecking !== undefined) settings.hostKeyChecking = parseHostKeyChecking(config.strictHostKeyChecking, configWhere);
  return settings;
}

/** OpenSSH's StrictHostKeyChecking values; the ones that turn checking off are refused. */
export function parseHostKeyChecking(value: string, where: Where): HostKeyChecking {
  const word = value.trim().toLowerCase();
  if (word === 'yes' || word === 'ask' || word === 'true') return 'strict';
  if (word === 'accept-new') return 'accept-new';
  if (word === 'no' || word === 'off' || word === 'false') {
    throw new InputError(
      `StrictHostKeyChecking ${value.trim()} would skip host key checks, which ploy never does; ` +
        'use StrictHostKeyChecking accept-new (or run with --accept-new-host-keys) to trust and record keys not yet known (a changed key is still refused)',
      where,
    );
  }
  throw new InputError(`StrictHostKeyChecking ${JSON.stringify(value)} is not valid; use yes, ask or accept-new`, where);
}

function fromArgs(args: SshArgs[], option: string): { value: string; where: Where } | undefined {
  for (const { args: text, where } of args) {
    const value = sshOptionFromArgs(text, option, where);
    if (value !== undefined) return { value, where };
  }
  return undefined;
}
