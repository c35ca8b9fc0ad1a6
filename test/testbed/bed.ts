import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBaseImage } from './base-image.ts';
import { renderInventory, renderKnownHosts, renderSshConfig, type BedPaths } from './bed-files.ts';
import { claimIndex, recordedHostCount, saveState, type BedState } from './bed-state.ts';
import { run } from './command.ts';
import { hostFiles, prepareHost } from './container.ts';
import { stopOnExit } from './exit-cleanup.ts';
import { attachHost, createBridges, enableNat, machineResolvConf } from './network.ts';
import { planBed, validateHosts, type TestbedHostSpec, type TestbedNetwork } from './plan.ts';
import { RunningTestbed } from './running-testbed.ts';

export type { TestbedHostSpec } from './plan.ts';
export { TESTBED_USERS } from './users.ts';

export interface TestbedOptions {
  hosts: TestbedHostSpec[];
  /** Name of a host (must be in hosts, public) that also joins the private bridge and is the only way in to private hosts. */
  bastion?: string;
  /** Give hosts NAT access to Debian's mirrors (nftables masquerade + default route + resolv.conf). Default false. */
  nat?: boolean;
  /** Where to put keys, inventory, overlays; default a fresh dir under /tmp. */
  dir?: string;
}

export interface TestbedHost {
  name: string;
  /** Address the controller uses: public bridge address for public hosts; private-bridge address for private hosts (unreachable from the controller directly). */
  ip: string;
  /** For the bastion: its address on the private bridge. */
  privateIp?: string;
  network: TestbedNetwork;
  /** PID of the container's init (for nsenter); 0 while the host is stopped. */
  leaderPid: number;
  netns: string;
}

export interface Testbed {
  readonly dir: string;
  readonly hosts: TestbedHost[];
  /** ed25519 private key accepted for root and for the users below on every host. */
  readonly keyPath: string;
  /** A known_hosts file holding every host's key (by address). */
  readonly knownHostsPath: string;
  /** An Ansible YAML inventory for the bed. */
  readonly inventoryPath: string;
  /** An OpenSSH client config: `ssh -F sshConfigPath NAME` logs in as root, through the bastion for private hosts. */
  readonly sshConfigPath: string;
  host(name: string): TestbedHost;
  /** Run a shell command inside a host as root, bypassing SSH (nsenter into the container); for checking and drifting state in tests. */
  sh(host: string, command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Stop a host's container (power off), keeping its disk; and start it again with the same address and host keys. */
  stopHost(name: string): Promise<void>;
  startHost(name: string): Promise<void>;
  /** Stop every container (by PID), unmount overlays, delete netns, veths, bridges, nft table, temp dirs. Idempotent. */
  stop(): Promise<void>;
}

/** Hosts start failing to boot (inotify instances run out) beyond about this many on the machine. */
const INOTIFY_HOSTS = 18;

/** Start a bed of Debian 12 hosts (systemd + sshd), each a systemd-nspawn container in its own netns. */
export async function startTestbed(options: TestbedOptions): Promise<Testbed> {
  validateHosts(options.hosts, options.bastion);
  const base = await ensureBaseImage();
  const createdDir = options.dir === undefined || !existsSync(options.dir);
  const dir = options.dir === undefined ? mkdtempSync('/tmp/ploy-testbed-') : resolve(options.dir);
  mkdirSync(dir, { recursive: true });

  const state = await claimIndex((index): BedState => ({ plan: planBed(options.hosts, options.bastion, index), dir, createdDir, ownerPid: process.pid, hosts: {} })).catch((error: unknown) => {
    if (createdDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const paths: BedPaths = { keyPath: join(dir, 'id_ed25519'), knownHostsPath: join(dir, 'known_hosts'), sshConfigPath: join(dir, 'ssh_config') };
  const bed = new RunningTestbed(state, { ...paths, inventoryPath: join(dir, 'inventory.yml') });
  stopOnExit(bed);
  try {
    const { plan } = state;
    if (recordedHostCount() > INOTIFY_HOSTS) await raiseInotifyLimits();
    rmSync(paths.keyPath, { force: true });
    rmSync(`${paths.keyPath}.pub`, { force: true });
    await run`ssh-keygen -q -t ed25519 -N '' -C ${`ploy-testbed-${plan.prefix}`} -f ${paths.keyPath}`;
    const authorizedKey = readFileSync(`${paths.keyPath}.pub`, 'utf8');
    const resolvConf = options.nat ? machineResolvConf() : '';

    await createBridges(plan);
    if (options.nat) {
      state.nat = await enableNat(plan);
      saveState(state);
    }
    for (const host of plan.hosts) state.hosts[host.name] = { ...hostFiles(dir, host), pid: null, leader: null };
    saveState(state);
    const keys = await Promise.all(
      plan.hosts.map(async (host) => {
        const publicKeys = await prepareHost(base, host, hostFiles(dir, host), authorizedKey, resolvConf);
        await attachHost(plan, host, options.nat === true);
        return { host: host.name, publicKeys };
      }),
    );
    writeFileSync(paths.knownHostsPath, renderKnownHosts(plan, keys));
    writeFileSync(paths.sshConfigPath, renderSshConfig(plan, paths));
    writeFileSync(bed.inventoryPath, renderInventory(plan, paths));

    await Promise.all(plan.hosts.map((host) => bed.startHost(host.name)));
    return bed;
  } catch (error) {
    await bed.stop();
    throw error;
  }
}

async function raiseInotifyLimits(): Promise<void> {
  const instances = Number((await run`sysctl -n fs.inotify.max_user_instances`).trim());
  const watches = Number((await run`sysctl -n fs.inotify.max_user_watches`).trim());
  if (instances < 8192) await run`sysctl -qw fs.inotify.max_user_instances=8192`;
  if (watches < 1048576) await run`sysctl -qw fs.inotify.max_user_watches=1048576`;
}
