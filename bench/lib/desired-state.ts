/**
 * The end state both tools converge every bench host to: the list, as data. The ploy role,
 * the Ansible playbook, the end-state check and the reset all follow these values (the role and
 * the check import them; the playbook repeats them, and the check catches any mismatch).
 */
export const BENCH = {
  /** Installed by one apt task; libjq1 and libonig5 come in as jq's dependencies. */
  packages: ['tree', 'jq', 'nano'],
  dependencies: ['libjq1', 'libonig5'],
  directory: '/srv/bench',
  /** The copied file is the unit of the service below. */
  unitPath: '/etc/systemd/system/bench-ticker.service',
  service: 'bench-ticker.service',
  templatePath: '/srv/bench/app.conf',
  port: 8080,
  linePath: '/etc/hosts',
  line: '10.0.0.10 bench-backend',
  user: 'benchuser',
  home: '/home/benchuser',
  shell: '/bin/bash',
  sshDir: '/home/benchuser/.ssh',
  authorizedKeys: '/home/benchuser/.ssh/authorized_keys',
  key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKUkA4g5ckoBnvsag1USAY6JyPr9sC0aHMs3GRixmJZU bench@ploy',
  /** The command guarded by `creates`: a snapshot taken once. */
  snapshotSource: '/etc/os-release',
  snapshotPath: '/srv/bench/os-release',
  linkPath: '/usr/local/bin/bench-tree',
  linkTarget: '/usr/bin/tree',
} as const;

/** The unit file both tools copy (bench/play/files/bench-ticker.service holds the same text). */
export const UNIT_TEXT = `[Unit]
Description=ploy benchmark service

[Service]
ExecStart=/bin/sleep infinity

[Install]
WantedBy=multi-user.target
`;

/** What the templated file must hold on a host: both templates render exactly this. */
export function renderedConfig(host: string, address: string): string {
  return `# managed by the benchmark\nhost = ${host}\naddress = ${address}\nport = ${BENCH.port}\n`;
}
