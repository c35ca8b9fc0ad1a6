/**
 * A container registry on a test-bed host: Debian's REAL docker-registry (the distribution project's
 * registry, which scripts/setup.sh installs on the controller), copied onto the host and run there as a
 * transient systemd unit, with htpasswd (bcrypt) basic auth and plain HTTP on port 5000. What the
 * buildkit and echo-healthcheck roles push to and check, and what skopeo reads back.
 */
import { copyFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Testbed } from '../testbed/bed.ts';
import { bedRootShell } from './k3s-by-hand.ts';

export interface BedRegistry {
  /** host:port as the other hosts reach it (the registry host's private address when it has one). */
  readonly address: string;
  /** host:port on the registry host's public address, for the controller (skopeo). */
  readonly publicAddress: string;
  readonly username: string;
  readonly password: string;
}

export const REGISTRY_PORT = 5000;
const UNIT = 'test-registry';

export async function startBedRegistry(bed: Testbed, hostName: string, credentials: { username: string; password: string }): Promise<BedRegistry> {
  const host = bed.host(hostName);
  copyFileSync('/usr/bin/docker-registry', `/proc/${host.leaderPid}/root/usr/local/bin/docker-registry`);
  const hash = execFileSync('python3', ['-W', 'ignore', '-c', `import crypt; print(crypt.crypt(${JSON.stringify(credentials.password)}, crypt.mksalt(crypt.METHOD_BLOWFISH)))`], {
    encoding: 'utf8',
  }).trim();
  const config = [
    'version: 0.1',
    'storage:',
    '  filesystem:',
    '    rootdirectory: /var/lib/registry',
    'http:',
    `  addr: :${REGISTRY_PORT}`,
    'auth:',
    '  htpasswd:',
    '    realm: ploy-test',
    '    path: /etc/docker-registry/htpasswd',
    '',
  ].join('\n');
  await bedRootShell(bed, hostName).sh(
    [
      'mkdir -p /etc/docker-registry /var/lib/registry',
      `printf '%s\\n' '${credentials.username}:${hash}' > /etc/docker-registry/htpasswd`,
      `echo ${Buffer.from(config).toString('base64')} | base64 -d > /etc/docker-registry/config.yml`,
      'chmod 0755 /usr/local/bin/docker-registry',
      `systemd-run --unit=${UNIT} /usr/local/bin/docker-registry serve /etc/docker-registry/config.yml`,
      `for i in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', ${REGISTRY_PORT}), 1)" 2>/dev/null && exit 0; sleep 0.2; done; exit 1`,
    ].join(' && '),
  );
  return { address: `${host.privateIp ?? host.ip}:${REGISTRY_PORT}`, publicAddress: `${host.ip}:${REGISTRY_PORT}`, ...credentials };
}

/** What the registry holds for a reference, read from the controller with skopeo (a real registry client). */
export function skopeoInspect(registry: BedRegistry, ref: string, what: '--config' | '' = ''): Record<string, unknown> {
  const args = ['inspect', '--tls-verify=false', `--creds=${registry.username}:${registry.password}`, ...(what ? [what] : []), `docker://${ref}`];
  return JSON.parse(execFileSync('skopeo', args, { encoding: 'utf8', timeout: 30_000 })) as Record<string, unknown>;
}
