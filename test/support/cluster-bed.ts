/**
 * The cluster bed: a bastion and three K3s servers only it reaches (test-bed hosts), a release
 * mirror serving the STAND-IN k3s (and nerdctl, kubectl, helm, BuildKit as asked) to them, the
 * cluster's inventory as provision.ts would write it, and what a test or bench of the cluster's
 * playbooks needs around it: a HOME that knows the hosts' keys, site.ts and role.ts through the real
 * CLI, the stand-in's events, the output's counters, and one stop() for all of it.
 *
 * Built to be extended: more hosts (a registry), more groups and variables, other inventories from
 * the same bed (writeInventory), each a file of its own.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cliHome, removeHome, runCli, startCli, type CliOptions, type CliProcess, type CliRun } from '../integration/faults-cli.ts';
import { startTestbed, type Testbed, type TestbedHostSpec } from '../testbed/bed.ts';
import { bedRootShell } from './k3s-by-hand.ts';
import { k3sEvents, type K3sEvent, type RootShell } from './k3s-standin-host.ts';
import { startReleaseMirror, type ReleaseMirror, type ReleaseMirrorOptions } from './release-mirror.ts';

export const CLUSTER_SERVERS = ['server1', 'server2', 'server3'] as const;
export const DEFAULT_K3S_VERSION = 'v1.31.4+k3s1';
export const DEFAULT_NERDCTL_VERSION = '1.7.7';

/** A value the inventory writes as `!secret "..."`. */
export interface SecretValue {
  readonly secret: string;
}

/** What a variable of the inventory can hold; undefined drops the variable (a default one too). */
export type InventoryValue = string | number | boolean | SecretValue | readonly InventoryValue[] | { readonly [key: string]: InventoryValue } | undefined;

export type InventoryVars = Readonly<Record<string, InventoryValue>>;

export interface ClusterInventoryOptions {
  /** File name in the bed's directory (or an absolute path); default cluster.yml. */
  name?: string;
  /** The servers of k3s_servers, in order; default every server of the bed. */
  servers?: readonly string[];
  /** Variables of `all`, over the bed's (the mirror, the pinned versions and their sha256s). */
  vars?: InventoryVars;
  /** Groups beyond bastion and k3s_servers, or instead of them: undefined drops one (k3s_servers too). */
  groups?: Readonly<Record<string, readonly string[] | undefined>>;
  /** Variables of one host, over its address and jump host. */
  hostVars?: Readonly<Record<string, InventoryVars>>;
}

export interface ClusterBedOptions extends Omit<ReleaseMirrorOptions, 'bed' | 'address' | 'k3s' | 'nerdctl'> {
  /** K3s versions the mirror serves; the inventory pins the first. Default [v1.31.4+k3s1]. */
  k3s?: string[];
  /** nerdctl versions the mirror serves; the inventory pins the first. Default [1.7.7]. */
  nerdctl?: string[];
  /** The servers' names; default server1, server2, server3. */
  servers?: readonly string[];
  /** More hosts in the bed (public unless they say private, then behind the bastion). */
  extraHosts?: readonly TestbedHostSpec[];
  /** The default inventory's options (the bed writes it at start). */
  inventory?: ClusterInventoryOptions;
}

export interface ClusterRunOptions extends Partial<Omit<CliOptions, 'home'>> {
  /** Another inventory than the bed's default one (writeInventory's path). */
  inventory?: string;
}

export interface ClusterBed {
  readonly bed: Testbed;
  readonly mirror: ReleaseMirror;
  readonly servers: readonly string[];
  /** The HOME the CLI runs with: ~/.ssh/known_hosts holds the bed's host keys. */
  readonly home: string;
  /** The default inventory's path. */
  readonly inventory: string;
  /** The K3s and nerdctl versions the default inventory pins. */
  readonly k3sVersion: string;
  readonly nerdctlVersion: string;
  /** A host's root shell, outside ploy (nsenter): a non-zero exit throws. */
  root(host: string): RootShell;
  /** Write another inventory of this bed and return its path. */
  writeInventory(options?: ClusterInventoryOptions): string;
  /** `-e` flags that pin this K3s version and its sha256 from the mirror. */
  versionVars(version: string): string[];
  /** playbooks/site.ts -i <inventory> ARGS through the real CLI. */
  site(args: readonly string[], options?: ClusterRunOptions): Promise<CliRun>;
  /** The same, started: for a test that acts while it runs (a signal, a host going down). */
  startSite(args: readonly string[], options?: ClusterRunOptions): CliProcess;
  /** playbooks/role.ts NAME -i <inventory> ARGS through the real CLI. */
  role(name: string, args: readonly string[], options?: ClusterRunOptions): Promise<CliRun>;
  /** Every server's stand-in events (at or after `since`, seconds since the epoch), in time order. */
  events(since?: number): Promise<K3sEvent[]>;
  /** Stop the CLI processes still running, the mirror and the bed; remove the HOME. Idempotent. */
  stop(): Promise<void>;
}

export const k3sReleasePath = (version: string) => `k3s-io/k3s/releases/download/${version}/k3s`;
export const nerdctlReleasePath = (version: string) => `containerd/nerdctl/releases/download/v${version}/nerdctl-${version}-linux-amd64.tar.gz`;

export async function startClusterBed(options: ClusterBedOptions = {}): Promise<ClusterBed> {
  const servers = options.servers ?? CLUSTER_SERVERS;
  const k3s = options.k3s ?? [DEFAULT_K3S_VERSION];
  const nerdctl = options.nerdctl ?? [DEFAULT_NERDCTL_VERSION];
  const k3sVersion = k3s[0] as string;
  const nerdctlVersion = nerdctl[0] as string;
  const mirrorOptions: ReleaseMirrorOptions = { arches: ['amd64'], kubectl: options.kubectl, helm: options.helm, buildkit: options.buildkit, ...(options.arches ? { arches: options.arches } : {}) };
  const bed = await startTestbed({
    hosts: [{ name: 'bastion' }, ...servers.map((name) => ({ name, network: 'private' as const })), ...(options.extraHosts ?? [])],
    bastion: 'bastion',
  });
  let mirror: ReleaseMirror;
  try {
    mirror = await startReleaseMirror({ ...mirrorOptions, bed, k3s, nerdctl });
  } catch (error) {
    await bed.stop();
    throw error;
  }
  const home = cliHome(bed);
  const running = new Set<CliProcess>();
  let stopped = false;

  const writeInventory = (inventory: ClusterInventoryOptions = {}): string => {
    const path = resolve(bed.dir, inventory.name ?? 'cluster.yml');
    const vars: InventoryVars = {
      ansible_user: 'deploy',
      ansible_ssh_private_key_file: bed.keyPath,
      k3s_lb_dns: 'k3s-ha-nlb.example.test',
      ploy_download_mirror: mirror.privateUrl,
      k3s_version: k3sVersion,
      k3s_sha256: mirror.sha256(k3sReleasePath(k3sVersion)),
      nerdctl_version: nerdctlVersion,
      nerdctl_sha256: mirror.sha256(nerdctlReleasePath(nerdctlVersion)),
      ...inventory.vars,
    };
    const groups: Record<string, readonly string[] | undefined> = { bastion: ['bastion'], k3s_servers: inventory.servers ?? servers, ...inventory.groups };
    const hostVars = (name: string): InventoryVars => {
      const host = bed.host(name);
      const behindBastion = host.network === 'private' ? { private_ip: host.ip, ploy_jump_host: 'bastion' } : {};
      return { ansible_host: host.ip, ...behindBastion, ...inventory.hostVars?.[name] };
    };
    writeFileSync(path, inventoryYaml(vars, groups, hostVars));
    return path;
  };

  const track = (cli: CliProcess): CliProcess => {
    running.add(cli);
    void cli.done.then(() => running.delete(cli));
    return cli;
  };
  const cliOptions = (run: ClusterRunOptions = {}): CliOptions => {
    const { inventory: _inventory, ...cli } = run;
    return { boundMs: 240_000, ...cli, home };
  };
  const startSite = (args: readonly string[], run: ClusterRunOptions = {}) => track(startCli('playbooks/site.ts', ['-i', run.inventory ?? inventory, ...args], cliOptions(run)));

  let inventory: string;
  try {
    inventory = writeInventory(options.inventory);
  } catch (error) {
    await mirror.close();
    await bed.stop();
    removeHome(home);
    throw error;
  }

  return {
    bed,
    mirror,
    servers,
    home,
    inventory,
    k3sVersion,
    nerdctlVersion,
    root: (host) => bedRootShell(bed, host),
    writeInventory,
    versionVars: (version) => ['-e', `k3s_version=${version}`, '-e', `k3s_sha256=${mirror.sha256(k3sReleasePath(version))}`],
    site: (args, run) => startSite(args, run).done,
    startSite,
    role: (name, args, run = {}) => track(startCli('playbooks/role.ts', [name, '-i', run.inventory ?? inventory, ...args], cliOptions(run))).done,
    async events(since = 0) {
      const all = (await Promise.all(servers.map((host) => k3sEvents(bedRootShell(bed, host))))).flat();
      return all.filter((e) => e.t >= since).sort((a, b) => a.t - b.t);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const cli of running) cli.child.kill('SIGKILL');
      await Promise.all([...running].map((cli) => cli.done));
      await mirror.close();
      await bed.stop();
      removeHome(home);
    },
  };
}

/** Per host, the remote commands a -v run made that went over the network (batched answers excluded). */
export function roundTripsPerHost(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of output.matchAll(/^ {2}\[([^\]]+)\] rc=\S+ (\S+)/gm)) {
    if (match[2] === '(batched)') continue;
    const host = (match[1] as string).split(' -> ')[0] as string;
    counts[host] = (counts[host] ?? 0) + 1;
  }
  return counts;
}

/** Per host, changed= of the PLAY RECAP. */
export function changedPerHost(output: string): Record<string, number> {
  const recap = output.slice(output.indexOf('PLAY RECAP'));
  return Object.fromEntries([...recap.matchAll(/^(\S+)\s*: ok=\d+ changed=(\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]));
}

/** The stand-in events of one kind, typed. */
export function eventsOf<E extends K3sEvent['event']>(events: readonly K3sEvent[], event: E): Extract<K3sEvent, { event: E }>[] {
  return events.filter((e): e is Extract<K3sEvent, { event: E }> => e.event === event);
}

function inventoryYaml(vars: InventoryVars, groups: Readonly<Record<string, readonly string[] | undefined>>, hostVars: (name: string) => InventoryVars): string {
  const lines = ['all:', '  vars:'];
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) lines.push(`    ${name}: ${yamlValue(value)}`);
  lines.push('  children:');
  for (const [group, hosts] of Object.entries(groups)) {
    if (hosts === undefined) continue;
    lines.push(`    ${group}:`, '      hosts:');
    for (const host of hosts) lines.push(`        ${host}: ${yamlValue(hostVars(host))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One value in YAML's flow style (JSON is YAML), secrets tagged. */
function yamlValue(value: Exclude<InventoryValue, undefined>): string {
  if (typeof value !== 'object') return JSON.stringify(value);
  if (isSecretValue(value)) return `!secret ${JSON.stringify(value.secret)}`;
  if (Array.isArray(value))
    return `[${(value as readonly InventoryValue[])
      .filter((v) => v !== undefined)
      .map((v) => yamlValue(v as Exclude<InventoryValue, undefined>))
      .join(', ')}]`;
  const entries = Object.entries(value as Record<string, InventoryValue>).filter(([, v]) => v !== undefined);
  return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${yamlValue(v as Exclude<InventoryValue, undefined>)}`).join(', ')} }`;
}

function isSecretValue(value: object): value is SecretValue {
  return 'secret' in value && Object.keys(value).length === 1 && typeof (value as SecretValue).secret === 'string';
}
