/**
 * K3s set up by hand on a test-bed host, the way install.sh sets it up (download, check against the
 * release's sha256sum file, install, link kubectl/crictl/ctr, write its unit), through a root shell,
 * never through ploy: for tests of the stand-in itself, and for putting a host in a known state
 * before a role runs.
 */
import { quote } from '../../lib/shell.ts';
import type { Testbed } from '../testbed/bed.ts';
import { installShUnit, k3sEvents, type K3sEvent, type RootShell } from './k3s-standin-host.ts';

/** A bed host's root shell (bed.sh): stdout, and a non-zero exit throws naming the host and command. */
export function bedRootShell(bed: Testbed, host: string): RootShell {
  return {
    async sh(command) {
      const result = await bed.sh(host, command);
      if (result.code !== 0) throw new Error(`${host} (rc=${result.code}): ${command}\n${result.stderr}${result.stdout}`);
      return result.stdout;
    },
  };
}

/** Install the k3s of `version` from a release mirror's URL (as the host reaches it) for amd64. */
export async function installK3sByHand(host: RootShell, mirrorUrl: string, version: string): Promise<void> {
  const base = `${mirrorUrl}/k3s-io/k3s/releases/download/${version}`;
  const download = [
    'import hashlib, urllib.request',
    `sums = urllib.request.urlopen(${JSON.stringify(`${base}/sha256sum-amd64.txt`)}).read().decode().split()`,
    `data = urllib.request.urlopen(${JSON.stringify(`${base}/k3s`)}).read()`,
    "assert hashlib.sha256(data).hexdigest() == sums[sums.index('k3s') - 1], 'sha256 mismatch'",
    "open('/usr/local/bin/k3s.download', 'wb').write(data)",
  ].join('\n');
  await host.sh(
    [
      `python3 -c ${quote(download)}`,
      'chmod 0755 /usr/local/bin/k3s.download && mv /usr/local/bin/k3s.download /usr/local/bin/k3s',
      'for tool in kubectl crictl ctr; do ln -sf k3s /usr/local/bin/$tool; done',
      `printf '%s' ${quote(installShUnit())} > /etc/systemd/system/k3s.service`,
      'systemctl daemon-reload',
    ].join(' && '),
  );
}

export async function writeK3sConfig(host: RootShell, yaml: string): Promise<void> {
  await host.sh(`mkdir -p /etc/rancher/k3s && printf '%s' ${quote(yaml)} > /etc/rancher/k3s/config.yaml`);
}

/**
 * `systemctl start k3s`, bounded (install.sh's unit has TimeoutStartSec=0): its exit code. A failed
 * start is stopped at once, so that systemd's Restart=always does not try it again behind the test.
 */
export async function startK3sUnit(bed: Testbed, host: string): Promise<number> {
  const result = await bed.sh(host, 'timeout 30 systemctl start k3s');
  if (result.code !== 0) await bed.sh(host, 'systemctl stop k3s; systemctl reset-failed k3s');
  return result.code;
}

/** The error of the server's last fatal exit, from its event log. */
export async function lastK3sExit(host: RootShell): Promise<string> {
  const exited = (await k3sEvents(host)).filter((e): e is Extract<K3sEvent, { event: 'exited' }> => e.event === 'exited');
  return exited.at(-1)?.error ?? '(no exit recorded)';
}
