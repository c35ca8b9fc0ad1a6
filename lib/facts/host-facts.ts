/** Facts about a host that roles need: what to download, where it listens, how big it is. */
export interface HostFacts {
  /** The kernel's host name. */
  hostname: string;
  /** From /etc/os-release: id "debian", versionId "12", codename "bookworm". */
  os: { id: string; versionId: string; codename: string; prettyName: string };
  /** The machine in uname's, Debian's and Go's spellings: x86_64 / amd64 / amd64, aarch64 / arm64 / arm64. */
  arch: { machine: string; debian: string; go: string };
  /** The kernel release (uname -r). */
  kernel: string;
  /** Total memory, in MiB (MemTotal). */
  memoryMiB: number;
  /** The address on the interface of the default IPv4 route (Ansible's default_ipv4); absent without one. */
  defaultIPv4?: Ipv4Address & { gateway?: string };
  /** Every global IPv4 address, in the order `ip` lists them. */
  ipv4: Ipv4Address[];
}

export interface Ipv4Address {
  address: string;
  prefix: number;
  interface: string;
}

/** uname -m to [Debian, Go]; anything else keeps uname's name in both. */
const ARCHITECTURES: Record<string, [string, string]> = {
  x86_64: ['amd64', 'amd64'],
  amd64: ['amd64', 'amd64'],
  aarch64: ['arm64', 'arm64'],
  arm64: ['arm64', 'arm64'],
  armv7l: ['armhf', 'arm'],
  armv6l: ['armel', 'arm'],
  i686: ['i386', '386'],
  i386: ['i386', '386'],
  ppc64le: ['ppc64el', 'ppc64le'],
  s390x: ['s390x', 's390x'],
  riscv64: ['riscv64', 'riscv64'],
};

/**
 * One command, builtins wherever they do: os-release, hostname and meminfo are read by the shell
 * itself; uname and ip are the only processes. Each fact is a `key=value` line.
 */
export const FACTS_SCRIPT = [
  'if [ -r /etc/os-release ]; then while IFS=\'=\' read -r ploy_k ploy_v; do case $ploy_k in ID|VERSION_ID|VERSION_CODENAME|PRETTY_NAME) printf \'os_%s=%s\\n\' "$ploy_k" "$ploy_v" ;; esac; done </etc/os-release; fi',
  'read -r ploy_h </proc/sys/kernel/hostname && printf \'hostname=%s\\n\' "$ploy_h"',
  'printf \'uname=%s\\n\' "$(uname -rm)"',
  'while read -r ploy_k ploy_v ploy_u; do case $ploy_k in MemTotal:) printf \'mem_kib=%s\\n\' "$ploy_v"; break ;; esac; done </proc/meminfo',
  'ip -4 -o route show default 2>/dev/null | while read -r ploy_l; do printf \'route=%s\\n\' "$ploy_l"; done',
  'ip -4 -o addr show scope global 2>/dev/null | while read -r ploy_l; do printf \'addr=%s\\n\' "$ploy_l"; done',
  'true',
].join('\n');

/** The facts from FACTS_SCRIPT's output. */
export function parseFacts(facts: Map<string, string[]>): HostFacts {
  const first = (key: string): string => unquote(facts.get(key)?.[0] ?? '');
  const [kernel = '', machine = ''] = first('uname').split(/\s+/);
  const [debian, go] = ARCHITECTURES[machine] ?? [machine, machine];
  const ipv4 = (facts.get('addr') ?? []).map(parseAddress).filter((a): a is Ipv4Address => a !== undefined);
  const route = parseDefaultRoute(facts.get('route')?.[0]);
  const onRoute = route ? ipv4.find((a) => (route.src ? a.address === route.src : a.interface === route.interface)) : undefined;
  return {
    hostname: first('hostname'),
    os: { id: first('os_ID'), versionId: first('os_VERSION_ID'), codename: first('os_VERSION_CODENAME'), prettyName: first('os_PRETTY_NAME') },
    arch: { machine, debian, go },
    kernel,
    memoryMiB: Math.floor(Number(first('mem_kib') || 0) / 1024),
    ...(onRoute ? { defaultIPv4: { ...onRoute, ...(route?.gateway ? { gateway: route.gateway } : {}) } } : {}),
    ipv4,
  };
}

/** os-release values may be quoted ("Debian GNU/Linux 12 (bookworm)"). */
function unquote(value: string): string {
  const match = /^(["'])(.*)\1$/.exec(value);
  return match ? (match[2] ?? '') : value;
}

/** `2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\ ...` */
function parseAddress(line: string): Ipv4Address | undefined {
  const match = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line);
  if (!match) return undefined;
  return { interface: match[1] as string, address: match[2] as string, prefix: Number(match[3]) };
}

/** `default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100` */
function parseDefaultRoute(line: string | undefined): { interface: string; gateway?: string; src?: string } | undefined {
  if (!line) return undefined;
  const words = line.trim().split(/\s+/);
  const after = (word: string): string | undefined => {
    const at = words.indexOf(word);
    return at >= 0 ? words[at + 1] : undefined;
  };
  const device = after('dev');
  if (!device) return undefined;
  const gateway = after('via');
  const src = after('src');
  return { interface: device, ...(gateway ? { gateway } : {}), ...(src ? { src } : {}) };
}
