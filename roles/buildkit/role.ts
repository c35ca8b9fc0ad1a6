import { defineRole } from '../../lib/index.ts';
import { ADDRESS, BUILDCTL, BUILDKITD, buildkitdToml, buildkitdUnit, CONFIG, containerdWorkerListed, UNIT } from './daemon-config.ts';
import { dockerConfig, hasCredentials, registryOf } from './registry.ts';
import { BUILDKIT_DEFAULTS, buildkitSettings, buildkitSha256, type BuildkitVars } from './vars.ts';

/** Where buildctl, run as root, reads the registry's credentials when it pushes. */
export const DOCKER_CONFIG = '/root/.docker/config.json';

/**
 * BuildKit on the buildkit group (by default the third server, DESIGN.md section 3): buildkitd and
 * buildctl from the pinned, sha256-checked release (ploy_download_mirror applies), buildkitd as a
 * systemd unit with the containerd worker on K3s's containerd (namespace k8s.io) and the OCI worker
 * off, restarted only when its binary, config or unit changes, and waited for until it lists its
 * containerd worker. The registry's credentials (k3s_registry_username/password) go to root's
 * ~/.docker/config.json, mode 0600, where buildctl reads them to push.
 */
export const buildkit = defineRole<BuildkitVars>({
  name: 'buildkit',
  hosts: 'buildkit',
  become: true,
  defaults: BUILDKIT_DEFAULTS,
  async run(t, vars) {
    const settings = buildkitSettings(vars, t.host.name);
    const registry = registryOf(vars, t.host.name);
    const arch = (await t.facts()).arch.go;
    const sha256 = buildkitSha256(settings, arch);
    if (sha256 === undefined && typeof arch === 'string') t.fail(`no sha256 is known for BuildKit ${settings.version} on ${arch}: set buildkit_sha256`);

    const config = await t.copy('buildkitd.toml', { dest: CONFIG, mode: '0644', directoryMode: '0755', content: buildkitdToml(settings, registry) });
    const unit = await t.copy('buildkitd unit', { dest: UNIT, mode: '0644', content: buildkitdUnit() });
    if (registry && hasCredentials(registry)) {
      await t.copy(`credentials for ${registry.host}`, { dest: DOCKER_CONFIG, mode: '0600', directoryMode: '0700', content: dockerConfig(registry) });
    }
    const binaries = await t.unarchive(`BuildKit ${settings.version}`, {
      url: `https://github.com/moby/buildkit/releases/download/${encodeURIComponent(settings.version)}/buildkit-${settings.version}.linux-${arch}.tar.gz`,
      sha256: sha256 ?? '',
      dest: '/usr/local',
      include: ['bin/buildkitd', 'bin/buildctl'],
      versionProbe: {
        cmd: `${BUILDKITD} --version && ${BUILDCTL} --version`,
        expect: new RegExp(`buildkitd github\\.com/moby/buildkit ${escape(settings.version)} [\\s\\S]*buildctl github\\.com/moby/buildkit ${escape(settings.version)} `),
      },
    });
    const restart = binaries.changed || config.changed || unit.changed;
    const running = await t.systemd('buildkitd running', { name: 'buildkitd.service', state: restart ? 'restarted' : 'started', enabled: true });
    if (running.changed) {
      await t.command(
        'buildkitd answers with its containerd worker',
        { cmd: [BUILDCTL, `--addr=${ADDRESS}`, 'debug', 'workers', '-v'], changedWhen: () => false },
        { retries: Math.ceil(settings.readyTimeoutS / 2), delayS: 2, until: (r) => containerdWorkerListed(r.data.stdout) },
      );
    }
  },
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
