/** One host's line of a play recap; ploy and Ansible print the same five counters. */
export interface HostRecap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
}

const RECAP_LINE = /^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)/;

/**
 * The recap lines of a run's output, by host: `web1 : ok=3 changed=1 unreachable=0 failed=0
 * skipped=0` (ploy's human reporter and Ansible's default callback both print this form).
 */
export function parseRecap(output: string): Record<string, HostRecap> {
  const recap: Record<string, HostRecap> = {};
  for (const line of output.split('\n')) {
    const match = RECAP_LINE.exec(line.trim());
    if (!match) continue;
    const [, host, ok, changed, unreachable, failed, skipped] = match;
    recap[host as string] = { ok: Number(ok), changed: Number(changed), unreachable: Number(unreachable), failed: Number(failed), skipped: Number(skipped) };
  }
  return recap;
}

/** Sum of one counter over every host. */
export function total(recap: Record<string, HostRecap>, counter: keyof HostRecap): number {
  return Object.values(recap).reduce((sum, host) => sum + host[counter], 0);
}

/**
 * Why a run cannot count: a host missing from the recap, failed or unreachable, or a change
 * count other than the scenario expects (every task on a fresh host, none afterwards).
 */
export function recapProblems(recap: Record<string, HostRecap>, hosts: readonly string[], expectChanged: 'all' | 'none', tasks: number): string[] {
  const problems: string[] = [];
  for (const host of hosts) {
    const line = recap[host];
    if (!line) {
      problems.push(`${host}: no recap line`);
      continue;
    }
    if (line.failed > 0 || line.unreachable > 0) problems.push(`${host}: failed=${line.failed} unreachable=${line.unreachable}`);
    const wanted = expectChanged === 'all' ? tasks : 0;
    if (line.changed !== wanted) problems.push(`${host}: changed=${line.changed}, expected ${wanted}`);
  }
  return problems;
}
