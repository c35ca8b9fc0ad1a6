import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConnectionDefaults } from '../connection/spec.ts';
import { InputError } from '../errors.ts';
import type { Secret } from '../secret.ts';

/** The connection flags of a playbook's command line, as parsed. */
export interface ConnectionFlags {
  user: string | undefined;
  privateKey: string | undefined;
  become: boolean;
  becomeUser: string | undefined;
  askBecomePass: boolean;
}

/**
 * -u, --private-key, -b, --become-user and -K as the defaults under every host's own variables
 * (connectionSpecFor). The key path is taken from the current directory (`~` is the home
 * directory) and must exist. The sudo password is asked only when -K is given and `ask` is: the
 * listing modes contact no host and ask nothing, as in Ansible.
 */
export async function connectionDefaults(flags: ConnectionFlags, cwd: string, ask?: () => Promise<Secret>): Promise<ConnectionDefaults> {
  const defaults: ConnectionDefaults = {};
  if (flags.user !== undefined) defaults.user = flags.user;
  if (flags.privateKey !== undefined) {
    const path = flags.privateKey === '~' ? homedir() : flags.privateKey.startsWith('~/') ? join(homedir(), flags.privateKey.slice(2)) : resolve(cwd, flags.privateKey);
    if (!existsSync(path)) throw new InputError(`--private-key: ${path} does not exist`);
    defaults.privateKeyFile = path;
  }
  if (flags.become) defaults.become = true;
  if (flags.becomeUser !== undefined) defaults.becomeUser = flags.becomeUser;
  if (flags.askBecomePass && ask) defaults.becomePassword = await ask();
  return defaults;
}

/** Whether any connection flag was given (else the runner keeps its default spec lookup). */
export function hasDefaults(defaults: ConnectionDefaults): boolean {
  return Object.keys(defaults).length > 0;
}
