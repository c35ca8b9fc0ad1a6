/**
 * Lets a test bed's private hosts reach an HTTP server the tests run on the controller. Private hosts
 * have no route to the controller (test/testbed/README.md), so a TCP relay (tcp-relay.py) runs on the
 * bastion as a transient systemd unit, listening on the bastion's private address: a private host
 * downloads from http://<bastion private IP>:<port>/..., as an air-gapped cluster would from a mirror
 * inside its network. The relay dies with the bed; close() stops it earlier.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Testbed } from '../testbed/bed.ts';

export interface BastionRelay {
  /** http://<bastion private IP>:<port>, no trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

const SCRIPT = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'tcp-relay.py')).toString('base64');

/** Relay the bastion's private address, on `port`, to `target` (the controller's address on the public bridge). */
export async function relayThroughBastion(bed: Testbed, target: { address: string; port: number }, port = target.port): Promise<BastionRelay> {
  const bastion = bed.hosts.find((host) => host.privateIp !== undefined);
  if (!bastion?.privateIp) throw new Error('relayThroughBastion: this test bed has no bastion');
  const unit = `ploy-release-mirror-relay-${port}`;
  const sh = async (command: string) => {
    const result = await bed.sh(bastion.name, command);
    if (result.code !== 0) throw new Error(`relay on ${bastion.name} (rc=${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    return result.stdout;
  };
  await sh(
    `echo ${SCRIPT} | base64 -d > /run/${unit}.py && systemd-run --quiet --collect --unit=${unit} /usr/bin/python3 /run/${unit}.py ${bastion.privateIp} ${port} ${target.address} ${target.port}`,
  );
  await sh(`for i in $(seq 100); do ss -Hltn 'sport = :${port}' | grep -q . && exit 0; sleep 0.05; done; systemctl status ${unit} >&2; exit 1`);
  return {
    url: `http://${bastion.privateIp}:${port}`,
    close: async () => {
      await bed.sh(bastion.name, `systemctl stop ${unit} 2>/dev/null; rm -f /run/${unit}.py`).catch(() => undefined);
    },
  };
}
