import { InputError } from '../../lib/errors.ts';

export type TestbedNetwork = 'public' | 'private';

export interface TestbedHostSpec {
  name: string;
  network?: TestbedNetwork;
}

/** Every name and address one host of a bed uses; pure data, so a bed can be cleaned up from its record. */
export interface HostPlan {
  name: string;
  network: TestbedNetwork;
  /** eth0's address: on the public bridge, or on the private one for private hosts. */
  ip: string;
  /** The bastion's eth1 address on the private bridge. */
  privateIp?: string;
  netns: string;
  /** systemd-nspawn's machine name, unique on the machine (the container's hostname is `name`). */
  machine: string;
  /** Root-namespace end of eth0's veth pair, and of the bastion's eth1. */
  veth: string;
  privateVeth?: string;
  /** For private hosts: the bastion's name. */
  jumpHost?: string;
}

export interface BedPlan {
  /** The address block this bed owns: 10.231.<index>.0/24 public, 10.232.<index>.0/24 private. */
  index: number;
  /** Prefix of every interface, namespace and machine name of the bed. */
  prefix: string;
  publicBridge: string;
  publicSubnet: string;
  gateway: string;
  privateBridge?: string;
  privateSubnet?: string;
  nftTable: string;
  bastion?: string;
  hosts: HostPlan[];
}

export const MAX_BED_INDEX = 250;
const MAX_HOSTS = 240;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** Refuse options that cannot make a bed, naming the option at fault. */
export function validateHosts(hosts: readonly TestbedHostSpec[], bastion: string | undefined): void {
  const bad = (message: string, field: string): InputError => new InputError(`test bed: ${message}`, { field });
  if (hosts.length === 0) throw bad('no hosts asked for', 'hosts');
  if (hosts.length > MAX_HOSTS) throw bad(`${hosts.length} hosts asked for, at most ${MAX_HOSTS} fit in one bed`, 'hosts');
  const seen = new Set<string>();
  hosts.forEach((host, i) => {
    if (!HOSTNAME.test(host.name)) {
      throw bad(`host name ${JSON.stringify(host.name)} is not a hostname (lowercase letters, digits and '-', at most 32)`, `hosts[${i}].name`);
    }
    if (seen.has(host.name)) throw bad(`host name "${host.name}" is given twice`, `hosts[${i}].name`);
    seen.add(host.name);
    if (host.network !== undefined && host.network !== 'public' && host.network !== 'private') {
      throw bad(`network ${JSON.stringify(host.network)} of host "${host.name}" is neither public nor private`, `hosts[${i}].network`);
    }
    if (host.network === 'private' && bastion === undefined) {
      throw bad(`host "${host.name}" is private but no bastion is given to reach it`, `hosts[${i}].network`);
    }
  });
  if (bastion !== undefined) {
    const spec = hosts.find((h) => h.name === bastion);
    if (!spec) throw bad(`bastion "${bastion}" is not one of the hosts`, 'bastion');
    if (spec.network === 'private') throw bad(`bastion "${bastion}" must be a public host`, 'bastion');
  }
}

/** Names and addresses for a bed in address block `index`; host i gets .(10+i) on its network. */
export function planBed(hosts: readonly TestbedHostSpec[], bastion: string | undefined, index: number): BedPlan {
  validateHosts(hosts, bastion);
  const prefix = `pt${index}`;
  const publicNet = `10.231.${index}`;
  const privateNet = `10.232.${index}`;
  return {
    index,
    prefix,
    publicBridge: `${prefix}pub`,
    publicSubnet: `${publicNet}.0/24`,
    gateway: `${publicNet}.1`,
    ...(bastion !== undefined ? { privateBridge: `${prefix}prv`, privateSubnet: `${privateNet}.0/24` } : {}),
    nftTable: `ploy_testbed_${index}`,
    ...(bastion !== undefined ? { bastion } : {}),
    hosts: hosts.map((spec, i): HostPlan => {
      const network = spec.network ?? 'public';
      const octet = 10 + i;
      const host: HostPlan = {
        name: spec.name,
        network,
        ip: `${network === 'public' ? publicNet : privateNet}.${octet}`,
        netns: `${prefix}-${spec.name}`,
        machine: `${prefix}-${spec.name}`,
        veth: `${prefix}v${i}`,
      };
      if (spec.name === bastion) {
        host.privateIp = `${privateNet}.${octet}`;
        host.privateVeth = `${prefix}w${i}`;
      }
      if (network === 'private' && bastion !== undefined) host.jumpHost = bastion;
      return host;
    }),
  };
}
