import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PloyError } from '../../lib/errors.ts';
import { attempt, run } from './command.ts';
import { withFileLock } from './file-lock.ts';
import { testbedUsers } from './users.ts';

/** Bump when the recipe below changes: images are cached per recipe, so running beds keep theirs. */
export const BASE_RECIPE = 1;

const PACKAGES = 'systemd,systemd-sysv,openssh-server,python3,python3-apt,sudo,iproute2,dbus,ca-certificates';

/** Units that slow a container's boot or do nothing useful in one. */
const MASKED_UNITS = [
  'systemd-networkd-wait-online.service',
  'systemd-firstboot.service',
  'systemd-pstore.service',
  'console-getty.service',
  'getty@.service',
  'e2scrub_reap.service',
  'apt-daily.timer',
  'apt-daily-upgrade.timer',
  'dpkg-db-backup.timer',
  'e2scrub_all.timer',
  'fstrim.timer',
];

const SSHD_DROP_IN = 'PermitRootLogin prohibit-password\nUseDNS no\n';

/** Where base images are cached: $PLOY_TESTBED_CACHE, else /var/cache/ploy-testbed/bookworm. */
export function baseImageCache(): string {
  return process.env.PLOY_TESTBED_CACHE || '/var/cache/ploy-testbed/bookworm';
}

/**
 * The root of the Debian 12 base image for this recipe, built once (debootstrap, about a minute)
 * under a lock so that concurrent test processes wait for one build, and built in a temporary
 * directory renamed into place so that a crashed build never leaves a half image behind.
 */
export async function ensureBaseImage(cache = baseImageCache()): Promise<string> {
  const image = join(cache, `r${BASE_RECIPE}`);
  if (existsSync(image)) return image;
  await mkdir(join(cache, 'debs'), { recursive: true });
  return withFileLock(join(cache, '.lock'), async () => {
    if (existsSync(image)) return image;
    for (const entry of await readdir(cache)) {
      if (entry.startsWith('.build-')) await rm(join(cache, entry), { recursive: true, force: true });
    }
    const build = join(cache, `.build-r${BASE_RECIPE}-${process.pid}`);
    process.stderr.write(`ploy test bed: building the Debian 12 base image in ${image} (once, about a minute)\n`);
    try {
      await debootstrap(build, join(cache, 'debs'));
      await customize(build);
      await rename(build, image);
    } catch (error) {
      await rm(build, { recursive: true, force: true });
      throw error;
    }
    return image;
  });
}

async function debootstrap(target: string, debs: string): Promise<void> {
  const mirror = process.env.PLOY_TESTBED_MIRROR || 'http://deb.debian.org/debian';
  const result = await attempt`debootstrap --variant=minbase --cache-dir=${debs} --include=${PACKAGES} bookworm ${target} ${mirror}`;
  if (result.code !== 0) {
    const tail = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new PloyError(`debootstrap of the test-bed base image into ${target} failed (rc=${result.code}):\n${tail}`);
  }
}

/** Everything per-bed (keys, hostnames, machine-id) is left out: each host's overlay adds it. */
async function customize(root: string): Promise<void> {
  await run`rm -f ${root}/etc/machine-id ${root}/var/lib/dbus/machine-id ${root}/etc/hostname`;
  await run`find ${root}/etc/ssh -name 'ssh_host_*' -delete`;
  for (const unit of MASKED_UNITS) await run`ln -sfn /dev/null ${join(root, 'etc/systemd/system', unit)}`;

  for (const user of testbedUsers) {
    if (user.uid === 0) continue;
    await run`chroot ${root} useradd --create-home --uid ${user.uid} --user-group --shell /bin/bash ${user.name}`;
    const rule = user.sudo === 'nopasswd' ? `${user.name} ALL=(ALL:ALL) NOPASSWD: ALL\n` : `${user.name} ALL=(ALL:ALL) ALL\n`;
    await writeFile(join(root, 'etc/sudoers.d', `ploy-${user.name}`), rule, { mode: 0o440 });
    if (user.sudoPassword) await run`printf '%s\n' ${`${user.name}:${user.sudoPassword}`} | chroot ${root} chpasswd`;
  }
  await run`chroot ${root} visudo --check --quiet`;

  await writeFile(join(root, 'etc/ssh/sshd_config.d/ploy-testbed.conf'), SSHD_DROP_IN);
  await writeFile(join(root, 'etc/resolv.conf'), '');
  await run`rm -rf ${root}/var/cache/apt/archives/*.deb`;
  await writeFile(join(root, 'etc/ploy-testbed-base'), `recipe ${BASE_RECIPE}\n`);
}
