import { existsSync } from 'node:fs';
import { InputError } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Secret } from '../secret.ts';
import type { Vars } from '../vars.ts';
import { configFileFromSshArgs, jumpFromSshArgs, parsePort, parseProxyJump, type JumpHop, type Where } from './proxy-jump.ts';
import { hostKeySettingsFor, type HostKeyChecking, type SshArgs } from './host-key-settings.ts';
import { bool, connectionKind, secretVar, text } from './spec-values.ts';
import { expandSshPath, loadSshConfig, localUserName, type SshConfigEntry, type SshConfigLookup } from './ssh-config.ts';

export type { SshConfigLookup } from './ssh-config.ts';

export interface SshEndpoint {
  address: string;
  port: number;
  user: string;
  privateKeyFile?: string;
  password?: Secret;
  /** UserKnownHostsFile (several: all checked, new keys go to the first); absent: the pool's default. */
  knownHostsFiles?: string[];
  /** StrictHostKeyChecking; absent: the pool's default. */
  hostKeyChecking?: HostKeyChecking;
}

/** How to reach one host, derived from its merged vars and ~/.ssh/config. */
export interface ConnectionSpec {
  /** Inventory host name (for a jump host given as a plain address: that address). */
  name: string;
  kind: 'ssh' | 'local';
  endpoint: SshEndpoint;
  /** The jump host, itself maybe behind another jump. */
  jump?: ConnectionSpec;
  become: boolean;
  becomeUser: string;
  becomePassword?: Secret;
}

/**
 * What the command line says about connecting (ansible-playbook's -u, --private-key, -b,
 * --become-user, -K). As in Ansible, a host's variables win over these (an `ansible_user` anywhere
 * in the inventory, or -e, beats -u), and these win over ~/.ssh/config.
 */
export interface ConnectionDefaults {
  user?: string;
  privateKeyFile?: string;
  become?: boolean;
  becomeUser?: string;
  becomePassword?: Secret;
}

/**
 * The connection settings for an inventory host. Inventory vars win, then the command line's
 * `defaults`; ~/.ssh/config (or the given lookup) fills what they leave unset, looked up by
 * ansible_host or else the host name, as Ansible hands that to ssh; `-F FILE` in ansible_ssh_common_args/ansible_ssh_extra_args replaces that file,
 * as it does for ssh. The jump host comes from ploy_jump_host, else -J/ProxyJump/ProxyCommand in
 * those args, else ProxyJump in the ssh config. UserKnownHostsFile and StrictHostKeyChecking come
 * from `-o` in those args, else the ssh config (host-key-settings.ts).
 */
export function connectionSpecFor(inventory: Inventory, host: string, vars: Vars, sshConfig?: SshConfigLookup, defaults: ConnectionDefaults = {}): ConnectionSpec {
  return new SpecResolver(inventory, sshConfig ?? loadSshConfig(), defaults).forHost(host, vars, [host]);
}

class SpecResolver {
  constructor(
    private readonly inventory: Inventory,
    private readonly sshConfig: SshConfigLookup,
    private readonly defaults: ConnectionDefaults,
  ) {}

  forHost(host: string, vars: Vars, chain: string[]): ConnectionSpec {
    const where = (field: string): Where => ({ host, field, file: this.inventory.source });
    const kind = connectionKind(vars['ansible_connection'], where('ansible_connection'));
    const ansibleHost = text(vars['ansible_host'], where('ansible_host'));
    const lookupName = ansibleHost ?? host;
    const sshConfig = this.#configFor(vars, where);
    const config = sshConfig(lookupName);
    const port = vars['ansible_port'] !== undefined ? parsePort(vars['ansible_port'], 'ansible_port', where('ansible_port')) : configPort(config, host);
    const user = text(vars['ansible_user'], where('ansible_user')) ?? this.defaults.user ?? config.user ?? localUserName();
    const endpoint: SshEndpoint = { address: ansibleHost ?? config.hostName ?? host, port, user };
    const keyVar = vars['ansible_ssh_private_key_file'] !== undefined ? 'ansible_ssh_private_key_file' : 'ansible_private_key_file';
    const keyFile = text(vars[keyVar], where(keyVar));
    const privateKeyFile = keyFile !== undefined ? expandSshPath(keyFile, { host: lookupName, user }) : (this.defaults.privateKeyFile ?? configIdentity(config, lookupName, user));
    if (privateKeyFile) endpoint.privateKeyFile = privateKeyFile;
    const passwordVar = vars['ansible_password'] !== undefined ? 'ansible_password' : 'ansible_ssh_pass';
    const password = secretVar(vars[passwordVar], where(passwordVar));
    if (password) endpoint.password = password;
    if (kind === 'ssh') {
      const sshArgs = SSH_ARGS_VARS.flatMap((field): SshArgs[] => {
        const args = text(vars[field], where(field));
        return args === undefined ? [] : [{ args, where: where(field) }];
      });
      const configHost = { host, field: 'StrictHostKeyChecking (ssh config)' };
      Object.assign(endpoint, hostKeySettingsFor(sshArgs, config, configHost, { host: lookupName, user }));
    }

    const becomeMethod = text(vars['ansible_become_method'], where('ansible_become_method'));
    if (becomeMethod !== undefined && becomeMethod !== 'sudo') {
      throw new InputError(`become method ${JSON.stringify(becomeMethod)} is not supported; only sudo is`, where('ansible_become_method'));
    }
    const spec: ConnectionSpec = {
      name: host,
      kind,
      endpoint,
      become: bool(vars['ansible_become'], where('ansible_become')) ?? this.defaults.become ?? false,
      becomeUser: text(vars['ansible_become_user'], where('ansible_become_user')) ?? this.defaults.becomeUser ?? 'root',
    };
    const becomeVar = vars['ansible_become_password'] !== undefined ? 'ansible_become_password' : 'ansible_become_pass';
    const becomePassword = secretVar(vars[becomeVar], where(becomeVar)) ?? this.defaults.becomePassword;
    if (becomePassword) spec.becomePassword = becomePassword;
    if (kind === 'ssh') {
      const jump = this.#jumpFor(host, vars, config, endpoint, chain, sshConfig);
      if (jump) spec.jump = jump;
    }
    return spec;
  }

  #configFor(vars: Vars, where: (field: string) => Where): SshConfigLookup {
    for (const field of SSH_ARGS_VARS) {
      const args = text(vars[field], where(field));
      const file = args === undefined ? undefined : configFileFromSshArgs(args, where(field));
      if (file === undefined) continue;
      const path = expandSshPath(file, { host: where(field).host, user: localUserName() });
      if (!existsSync(path)) throw new InputError(`ssh config file ${path} (given with -F) does not exist`, where(field));
      return loadSshConfig(path);
    }
    return this.sshConfig;
  }

  #jumpFor(host: string, vars: Vars, config: SshConfigEntry, target: SshEndpoint, chain: string[], sshConfig: SshConfigLookup): ConnectionSpec | undefined {
    const where = (field: string): Where => ({ host, field, file: this.inventory.source });
    const named = text(vars['ploy_jump_host'], where('ploy_jump_host'));
    if (named !== undefined) {
      if (!this.inventory.hosts.has(named)) {
        throw new InputError(`jump host ${JSON.stringify(named)} is not an inventory host`, where('ploy_jump_host'));
      }
      return this.#hops([{ host: named }], target, chain, where('ploy_jump_host'), sshConfig);
    }
    for (const field of SSH_ARGS_VARS) {
      const args = text(vars[field], where(field));
      const hops = args === undefined ? undefined : jumpFromSshArgs(args, where(field));
      if (hops) return this.#hops(hops, target, chain, where(field), sshConfig);
    }
    if (config.proxyJump !== undefined) {
      const at = where('ProxyJump (ssh config)');
      return this.#hops(parseProxyJump(config.proxyJump, at), target, chain, at, sshConfig);
    }
    return undefined;
  }

  /** The spec of the last hop, each hop behind the one before it. */
  #hops(hops: JumpHop[], target: SshEndpoint, chain: string[], where: Where, sshConfig: SshConfigLookup): ConnectionSpec | undefined {
    let previous: ConnectionSpec | undefined;
    for (const hop of hops) {
      const path = [...chain, hop.host];
      if (chain.includes(hop.host)) throw new InputError(`jump host loop: ${path.join(' -> ')}`, where);
      previous = this.#hop(hop, previous, target, path, sshConfig);
    }
    return previous;
  }

  #hop(hop: JumpHop, before: ConnectionSpec | undefined, target: SshEndpoint, chain: string[], sshConfig: SshConfigLookup): ConnectionSpec {
    let spec: ConnectionSpec;
    if (this.inventory.hosts.has(hop.host)) {
      spec = this.forHost(hop.host, this.inventory.host(hop.host).vars, chain);
      if (spec.kind !== 'ssh') {
        throw new InputError(`jump host ${hop.host} has ansible_connection local; a jump host must be reached by ssh`, { host: chain[0] ?? hop.host });
      }
    } else {
      const config = sshConfig(hop.host);
      const user = hop.user ?? config.user ?? localUserName();
      // Like OpenSSH's -J, a plain-address jump host gets its settings from the ssh config; without
      // an IdentityFile there, the target's key is tried (the usual case: one key for the fleet).
      const privateKeyFile = configIdentity(config, hop.host, user) ?? target.privateKeyFile;
      const endpoint: SshEndpoint = { address: config.hostName ?? hop.host, port: configPort(config, chain[0] ?? hop.host), user };
      if (privateKeyFile) endpoint.privateKeyFile = privateKeyFile;
      const configHost = { host: chain[0] ?? hop.host, field: `StrictHostKeyChecking of ${hop.host} (ssh config)` };
      Object.assign(endpoint, hostKeySettingsFor([], config, configHost, { host: hop.host, user }));
      spec = { name: hop.host, kind: 'ssh', endpoint, become: false, becomeUser: 'root' };
      if (!before && config.proxyJump !== undefined) {
        const at: Where = { host: chain[0] ?? hop.host, field: `ProxyJump of ${hop.host} (ssh config)` };
        const jump = this.#hops(parseProxyJump(config.proxyJump, at), endpoint, chain, at, sshConfig);
        if (jump) spec.jump = jump;
      }
    }
    if (hop.user) spec.endpoint.user = hop.user;
    if (hop.port) spec.endpoint.port = hop.port;
    if (hop.privateKeyFile) spec.endpoint.privateKeyFile = expandSshPath(hop.privateKeyFile, { host: hop.host, user: spec.endpoint.user });
    if (before) spec.jump = before;
    return spec;
  }
}

const SSH_ARGS_VARS = ['ansible_ssh_common_args', 'ansible_ssh_extra_args'];

function configPort(config: SshConfigEntry, host: string): number {
  return config.port === undefined ? 22 : parsePort(config.port, 'Port (ssh config)', { host, field: 'Port (ssh config)' });
}

/** The first IdentityFile from the ssh config that exists (OpenSSH tries them all; ploy takes one). */
function configIdentity(config: SshConfigEntry, host: string, user: string): string | undefined {
  const files = config.identityFiles.map((file) => expandSshPath(file, { host, user }));
  return files.find((file) => existsSync(file)) ?? files[0];
}
