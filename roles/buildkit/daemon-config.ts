/**
 * buildkitd's configuration and its systemd unit, as text the role writes: a change to either is
 * what restarts buildkitd.
 */
import type { Registry } from './registry.ts';
import type { BuildkitSettings } from './vars.ts';

export const BUILDKITD = '/usr/local/bin/buildkitd';
export const BUILDCTL = '/usr/local/bin/buildctl';
export const CONFIG = '/etc/buildkit/buildkitd.toml';
export const UNIT = '/etc/systemd/system/buildkitd.service';
/** Where buildkitd listens and buildctl connects (buildctl's own default). */
export const SOCKET = '/run/buildkit/buildkitd.sock';
export const ADDRESS = `unix://${SOCKET}`;

const toml = (text: string) => JSON.stringify(text);

/**
 * The containerd worker on K3s's containerd (its namespace, so images are the kubelet's), the OCI
 * worker off (it would need its own runc and snapshotter), and plain HTTP for an http:// registry.
 */
export function buildkitdToml(settings: BuildkitSettings, registry: Registry | undefined): string {
  return [
    '# Written by ploy (role buildkit): buildkitd reads it when it starts.',
    'root = "/var/lib/buildkit"',
    '',
    '[grpc]',
    `  address = [${toml(ADDRESS)}]`,
    '',
    '[worker.oci]',
    '  enabled = false',
    '',
    '[worker.containerd]',
    '  enabled = true',
    `  address = ${toml(settings.containerdSocket)}`,
    `  namespace = ${toml(settings.containerdNamespace)}`,
    '  gc = true',
    ...(registry?.http ? ['', `[registry.${toml(registry.host)}]`, '  http = true'] : []),
    '',
  ].join('\n');
}

export function buildkitdUnit(): string {
  return `# Written by ploy (role buildkit).
[Unit]
Description=BuildKit daemon (containerd worker on K3s's containerd)
Documentation=https://github.com/moby/buildkit
After=network-online.target k3s.service
Wants=network-online.target

[Service]
ExecStart=${BUILDKITD} --config ${CONFIG}
Restart=always
RestartSec=5s
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
`;
}

/** buildctl debug workers -v lists a worker whose executor is containerd. */
export function containerdWorkerListed(output: string | undefined): boolean {
  return /^\s*org\.mobyproject\.buildkit\.worker\.executor:\s+containerd\s*$/m.test(output ?? '');
}
