import { isIP } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseSshConfig, readSshConfigFile, type SshConfigLine } from './ssh-config-file.ts';
import { hostNameOf, walkSshConfig } from './ssh-config-walk.ts';

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
  /** The config file the StrictHostKeyChecking value comes from (else the file looked up), for messages. */
  file?: string;
}

/** Looks a host (as it would be typed after `ssh`) up in an ssh config. */
export type SshConfigLookup = (host: string) => SshConfigEntry;

export const noSshConfig: SshConfigLookup = () => ({ identityFiles: [] });

export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

/**
 * A lookup over ssh config text, evaluated as OpenSSH does (ssh-config-walk.ts): Host and Match
 * blocks, `Include` followed (relative paths in `home`/.ssh, globs, nested, inside blocks).
 * `Match exec` commands are never run and count as not matching.
 */
export function sshConfigLookup(text: string, file?: string, home = homedir()): SshConfigLookup {
  return lookupOver(parseSshConfig(text, file ?? 'ssh config'), file, home);
}

function lookupOver(lines: readonly SshConfigLine[], file: string | undefined, home: string): SshConfigLookup {
  const context = { localUser: localUserName(), home };
  return (host) => {
    const values = walkSshConfig(lines, host, context);
    const value = (keyword: string): string | undefined => values.first.get(keyword)?.args[0];
    const entry: SshConfigEntry = { identityFiles: [...values.identityFiles] };
    if (values.first.has('hostname')) {
      const hostName = hostNameOf(values, host);
      entry.hostName = isIP(hostName) ? hostName : hostName.toLowerCase();
    }
    const user = value('user');
    const port = value('port');
    const proxyJump = value('proxyjump');
    const knownHostsFiles = values.first.get('userknownhostsfile')?.args;
    const strict = values.first.get('stricthostkeychecking');
    if (user !== undefined) entry.user = user;
    if (port !== undefined) entry.port = port;
    if (proxyJump !== undefined) entry.proxyJump = proxyJump;
    if (knownHostsFiles) entry.userKnownHostsFiles = [...knownHostsFiles];
    if (strict) entry.strictHostKeyChecking = strict.args[0] as string;
    const source = strict?.file || file;
    if (source !== undefined) entry.file = source;
    return entry;
  };
}

const loaded = new Map<string, SshConfigLookup>();

/** The lookup for a config file (default ~/.ssh/config), read once per run; a missing file is an empty config. */
export function loadSshConfig(file = defaultSshConfigPath()): SshConfigLookup {
  let lookup = loaded.get(file);
  if (!lookup) {
    const lines = readSshConfigFile(file);
    lookup = lines === null ? noSshConfig : lookupOver(lines, file, homedir());
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
