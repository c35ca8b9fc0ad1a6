import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';

/** What ~/.ssh/config says about one host, as OpenSSH would compute it (first match wins). */
export interface SshConfigEntry {
  hostName?: string;
  user?: string;
  port?: string;
  identityFiles: string[];
  proxyJump?: string;
  /** UserKnownHostsFile: one or more files, as written (not expanded). */
  userKnownHostsFiles?: string[];
  strictHostKeyChecking?: string;
  /** The config file the entry comes from, for messages. */
  file?: string;
}

/** Looks a host (as it would be typed after `ssh`) up in an ssh config. */
export type SshConfigLookup = (host: string) => SshConfigEntry;

export const noSshConfig: SshConfigLookup = () => ({ identityFiles: [] });

export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

/**
 * A lookup over ssh config text. `Match exec` criteria are never run (they would execute shell
 * commands on the controller) and count as not matching; `Include` is not followed.
 */
export function sshConfigLookup(text: string, file?: string): SshConfigLookup {
  const config = SSHConfig.parse(text);
  return (host) => {
    const computed = config.compute(host, { ignoreCase: true, matchExec: false });
    const entry: SshConfigEntry = { identityFiles: list(computed['identityfile']) };
    const hostName = first(computed['hostname']);
    const user = first(computed['user']);
    const port = first(computed['port']);
    const proxyJump = first(computed['proxyjump']);
    const knownHostsFiles = list(computed['userknownhostsfile']);
    const strictHostKeyChecking = first(computed['stricthostkeychecking']);
    if (hostName !== undefined) entry.hostName = hostName.replace(/%h/g, host).replace(/%%/g, '%');
    if (user !== undefined) entry.user = user;
    if (port !== undefined) entry.port = port;
    if (proxyJump !== undefined) entry.proxyJump = proxyJump;
    if (knownHostsFiles.length > 0) entry.userKnownHostsFiles = knownHostsFiles;
    if (strictHostKeyChecking !== undefined) entry.strictHostKeyChecking = strictHostKeyChecking;
    if (file !== undefined) entry.file = file;
    return entry;
  };
}

const loaded = new Map<string, SshConfigLookup>();

/** The lookup for a config file (default ~/.ssh/config), read once per run; a missing file is an empty config. */
export function loadSshConfig(file = defaultSshConfigPath()): SshConfigLookup {
  let lookup = loaded.get(file);
  if (!lookup) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    lookup = text === undefined ? noSshConfig : sshConfigLookup(text, file);
    loaded.set(file, lookup);
  }
  return lookup;
}

/** The controller's user name: OpenSSH's default remote user. */
export function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'root';
  }
}

/** Expand `~` and the tokens OpenSSH allows in IdentityFile and UserKnownHostsFile: %d home, %u local user, %h host, %r remote user, %%. */
export function expandSshPath(path: string, tokens: { host: string; user: string }): string {
  const home = homedir();
  const expanded = path.replace(/%([%dhur])/g, (_, token: string) => {
    switch (token) {
      case 'd':
        return home;
      case 'u':
        return localUserName();
      case 'h':
        return tokens.host;
      case 'r':
        return tokens.user;
      default:
        return '%';
    }
  });
  if (expanded === '~') return home;
  return expanded.startsWith('~/') ? join(home, expanded.slice(2)) : expanded;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
