/**
 * The STAND-IN k3s as a test finds it on a host: its event log, its Ready delay, and the systemd unit
 * K3s's install.sh writes (for tests that set a server up by hand, and to compare a role's unit with).
 * Everything here reads or writes through a root shell on the host (bed.sh), never through ploy.
 */

/** A host's root shell: stdout of a command run as root, a non-zero exit throws. */
export interface RootShell {
  sh(command: string): Promise<string>;
}

export const K3S_DATA_DIR = '/var/lib/rancher/k3s';
/** JSON lines, one per event, in the order they happened on that server. */
export const K3S_EVENT_LOG = `${K3S_DATA_DIR}/standin-events.log`;
/** Seconds (a decimal number) from a server's start until its node is Ready; 1.5 when absent. */
export const K3S_READY_DELAY_FILE = `${K3S_DATA_DIR}/standin-ready-delay`;

interface Stamp {
  /** Seconds since the epoch (microseconds); the bed's hosts share one clock, so it orders events across servers. */
  t: number;
  /** The node name of the server that wrote the event. */
  node: string;
}

/** What a stand-in server records, in standin-events.log. */
export type K3sEvent = Stamp &
  (
    | { event: 'started'; version: string; role: 'init' | 'join' | 'member' | 'single'; pid: number }
    | { event: 'cluster-init' }
    | { event: 'sqlite-init' }
    | { event: 'join-requested'; server: string }
    | { event: 'joined'; server: string }
    | { event: 'join-failed'; server: string; error: string }
    | { event: 'join-accepted'; joiner: string; address: string; version: string; rejoin: boolean }
    | { event: 'join-refused'; joiner: string; reason: string; error?: string }
    | { event: 'serving'; port: number; notified: boolean }
    | { event: 'ready'; delay: number }
    | { event: 'member-ready'; member: string; version: string }
    | { event: 'stopped'; signal: string | null }
    | { event: 'exited'; code: number; error: string }
  );

export async function k3sEvents(host: RootShell, dataDir = K3S_DATA_DIR): Promise<K3sEvent[]> {
  const text = await host.sh(`cat ${dataDir}/standin-events.log 2>/dev/null || true`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as K3sEvent);
}

/** Make the host's node Ready this many seconds after each start of its server. */
export async function setReadyDelay(host: RootShell, seconds: number, dataDir = K3S_DATA_DIR): Promise<void> {
  await host.sh(`mkdir -p ${dataDir} && echo ${seconds} > ${dataDir}/standin-ready-delay`);
}

/** The unit K3s's install.sh writes for a server (Type=notify, restart after 5 s, no start timeout). */
export function installShUnit(execArgs = 'server'): string {
  return `[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=notify
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-/etc/systemd/system/k3s.service.env
KillMode=process
Delegate=yes
User=root
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/k3s \\
    ${execArgs}

`;
}
