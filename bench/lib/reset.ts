import { quote } from '../../lib/shell.ts';
import { BENCH } from './desired-state.ts';

const q = quote;

/**
 * Undo the 12 things on a host, so the next converge starts from a fresh host again: the service
 * stopped and its unit gone (systemd reloaded), the user and its home removed, the packages purged
 * and apt's download cache emptied (the next install fetches the .debs again), the files, the
 * link and the line removed. Run as root inside the host (not timed).
 */
export function resetScript(): string {
  const packages = [...BENCH.packages, ...BENCH.dependencies].join(' ');
  const escapedLine = BENCH.line.replace(/[.[\]*^$/\\]/g, '\\$&');
  return [
    `systemctl disable --now ${q(BENCH.service)} >/dev/null 2>&1 || true`,
    `rm -f ${q(BENCH.unitPath)}`,
    'systemctl daemon-reload',
    `systemctl reset-failed ${q(BENCH.service)} >/dev/null 2>&1 || true`,
    `{ userdel -r ${q(BENCH.user)} >/dev/null 2>&1 || true; }`,
    `rm -rf ${q(BENCH.home)}`,
    `DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ${packages} >/dev/null`,
    'apt-get clean',
    `rm -rf ${q(BENCH.directory)} ${q(BENCH.linkPath)}`,
    `sed -i ${q(`/^${escapedLine}$/d`)} ${q(BENCH.linePath)}`,
  ].join(' && \\\n');
}
