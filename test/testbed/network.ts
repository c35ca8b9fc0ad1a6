import { readFileSync } from 'node:fs';
import { PloyError } from '../../lib/errors.ts';
import { attempt, attemptSync, run } from './command.ts';
import type { BedPlan, HostPlan } from './plan.ts';

/**
 * The public bridge carries the controller's address (.1); the private one has no address in the
 * root namespace, and an unreachable route makes the controller's packets to it fail at once
 * instead of leaving through the machine's default route.
 */
export async function createBridges(plan: BedPlan): Promise<void> {
  await run`ip link add ${plan.publicBridge} type bridge && ip addr add ${`${plan.gateway}/24`} dev ${plan.publicBridge} && ip link set ${plan.publicBridge} up`;
  if (plan.privateBridge && plan.privateSubnet) {
    await run`ip link add ${plan.privateBridge} type bridge && ip link set ${plan.privateBridge} up`;
    await run`ip route add unreachable ${plan.privateSubnet}`;
  }
}

/** The host's namespace with eth0 on its bridge (and the bastion's eth1 on the private one); no forwarding. */
export async function attachHost(plan: BedPlan, host: HostPlan, defaultRoute: boolean): Promise<void> {
  const ns = host.netns;
  const bridge = host.network === 'public' ? plan.publicBridge : plan.privateBridge;
  if (!bridge) throw new PloyError(`test bed: host ${host.name} is private but the bed has no private bridge`);
  await run`ip netns add ${ns} && ip -n ${ns} link set lo up && ip netns exec ${ns} sysctl -qw net.ipv4.ip_forward=0`;
  await run`ip link add ${host.veth} type veth peer name eth0 netns ${ns} && ip link set ${host.veth} master ${bridge} up && ip -n ${ns} addr add ${`${host.ip}/24`} dev eth0 && ip -n ${ns} link set eth0 up`;
  if (host.privateVeth && host.privateIp && plan.privateBridge) {
    await run`ip link add ${host.privateVeth} type veth peer name eth1 netns ${ns} && ip link set ${host.privateVeth} master ${plan.privateBridge} up && ip -n ${ns} addr add ${`${host.privateIp}/24`} dev eth1 && ip -n ${ns} link set eth1 up`;
  }
  if (defaultRoute && host.network === 'public') await run`ip -n ${ns} route add default via ${plan.gateway}`;
}

export interface NatRecord {
  defaultInterface: string;
  previousIpForward: string;
}

/** Masquerade the public subnet out of the machine's default interface, in an nft table of the bed's own. */
export async function enableNat(plan: BedPlan): Promise<NatRecord> {
  const routes = JSON.parse(await run`ip -j route show default`) as Array<{ dev?: string }>;
  const defaultInterface = routes[0]?.dev;
  if (!defaultInterface) throw new PloyError('test bed: nat asked for, but the machine has no default route');
  const previousIpForward = (await run`sysctl -n net.ipv4.ip_forward`).trim();
  const table = plan.nftTable;
  await run`nft add table ip ${table}`;
  await run`nft add chain ip ${table} postrouting ${'{ type nat hook postrouting priority srcnat; policy accept; }'}`;
  await run`nft add rule ip ${table} postrouting ip saddr ${plan.publicSubnet} oifname ${defaultInterface} masquerade`;
  await run`sysctl -qw net.ipv4.ip_forward=1`;
  return { defaultInterface, previousIpForward };
}

/** Nameservers of the machine that a host can reach through NAT (loopback stubs cannot be). */
export function machineResolvConf(): string {
  const servers = readFileSync('/etc/resolv.conf', 'utf8')
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((server): server is string => server !== undefined && !server.startsWith('127.') && server !== '::1');
  return servers.map((server) => `nameserver ${server}\n`).join('');
}

/** Whether an SSH server answers on the address from inside a namespace (how private hosts are seen). */
export async function bannerFromNamespace(netns: string, ip: string): Promise<boolean> {
  const probe = await attempt`timeout 2 ip netns exec ${netns} bash -c ${'exec 3<>"/dev/tcp/$0/22" && head -c 4 <&3'} ${ip}`;
  return probe.code === 0 && probe.stdout.startsWith('SSH-');
}

/** Remove every namespace, veth, bridge and route of the bed; anything already gone is skipped. */
export function removeNetworkSync(plan: BedPlan): void {
  const namespaces = attemptSync`ip netns list`.stdout;
  for (const host of plan.hosts) {
    if (new RegExp(`^${host.netns}( |$)`, 'm').test(namespaces)) attemptSync`ip netns del ${host.netns}`;
    for (const link of [host.veth, host.privateVeth]) if (link && linkExists(link)) attemptSync`ip link del ${link}`;
  }
  for (const bridge of [plan.publicBridge, plan.privateBridge]) if (bridge && linkExists(bridge)) attemptSync`ip link del ${bridge}`;
  if (plan.privateSubnet && attemptSync`ip route show type unreachable ${plan.privateSubnet}`.stdout.trim()) {
    attemptSync`ip route del unreachable ${plan.privateSubnet}`;
  }
}

/** Delete the bed's nft table, and put ip_forward back when no other bed needs it on. */
export function removeNatSync(plan: BedPlan, nat: NatRecord | undefined, otherBedsUseNat: boolean): void {
  if (attemptSync`nft list table ip ${plan.nftTable}`.code === 0) attemptSync`nft delete table ip ${plan.nftTable}`;
  if (nat && nat.previousIpForward === '0' && !otherBedsUseNat) attemptSync`sysctl -qw net.ipv4.ip_forward=0`;
}

function linkExists(name: string): boolean {
  return attemptSync`ip link show dev ${name}`.code === 0;
}
