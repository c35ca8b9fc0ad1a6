import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, PloyError, UnreachableError } from '../../lib/errors.ts';
import { run } from './command.ts';
import type { HostPlan } from './plan.ts';
import { findLeader, isAlive } from './processes.ts';
import { testbedUsers } from './users.ts';

export interface HostFiles {
  hostDir: string;
  merged: string;
}

export function hostFiles(bedDir: string, host: HostPlan): HostFiles {
  const hostDir = join(bedDir, 'hosts', host.name);
  return { hostDir, merged: join(hostDir, 'merged') };
}

/**
 * Mount the host's overlay on the base image and give it what makes it itself: hostname, a fresh
 * machine-id and host keys, the bed's key for every login, a resolv.conf, and no boot-time
 * /run/nologin. Returns the host's public keys (for known_hosts).
 */
export async function prepareHost(base: string, host: HostPlan, files: HostFiles, authorizedKey: string, resolvConf: string): Promise<string[]> {
  const { hostDir, merged } = files;
  if (/[,:\s]/.test(hostDir)) throw new InputError(`test bed: directory ${hostDir} cannot hold an overlay (no ',', ':' or spaces)`, { field: 'dir' });
  rmSync(hostDir, { recursive: true, force: true }); // a kept bed's old disk must not leak into a new one
  for (const sub of ['upper', 'work', 'merged']) mkdirSync(join(hostDir, sub), { recursive: true });
  await run`mount -t overlay overlay -o ${`lowerdir=${base},upperdir=${join(hostDir, 'upper')},workdir=${join(hostDir, 'work')}`} ${merged}`;

  writeFileSync(join(merged, 'etc/hostname'), `${host.name}\n`);
  writeFileSync(join(merged, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${host.name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  writeFileSync(join(merged, 'etc/machine-id'), `${randomBytes(16).toString('hex')}\n`, { mode: 0o444 });
  writeFileSync(join(merged, 'etc/resolv.conf'), resolvConf);
  // No /run/nologin at boot: until systemd-user-sessions removes it (and under load that service was
  // seen to fail), sshd's PAM closes every login but root's during authentication, after the banner.
  mkdirSync(join(merged, 'etc/tmpfiles.d'), { recursive: true });
  symlinkSync('/dev/null', join(merged, 'etc/tmpfiles.d/systemd-nologin.conf'));
  await run`ssh-keygen -A -f ${merged}`;

  for (const user of testbedUsers) {
    const sshDir = join(merged, user.home, '.ssh');
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(sshDir, 'authorized_keys'), authorizedKey, { mode: 0o600 });
    chownSync(sshDir, user.uid, user.uid);
    chownSync(join(sshDir, 'authorized_keys'), user.uid, user.uid);
  }
  return ['ed25519', 'ecdsa', 'rsa'].map((type) => readFileSync(join(merged, `etc/ssh/ssh_host_${type}_key.pub`), 'utf8').trim());
}

/** Boot the container detached (its own session, console to a log); returns systemd-nspawn's PID. */
export function bootContainer(host: HostPlan, files: HostFiles): number {
  const log = openSync(join(files.hostDir, 'console.log'), 'a');
  try {
    const child = spawn(
      'systemd-nspawn',
      [
        '-q',
        '-D',
        files.merged,
        '--boot',
        `--network-namespace-path=/run/netns/${host.netns}`,
        '--register=no',
        '--keep-unit',
        `--machine=${host.machine}`,
        `--hostname=${host.name}`,
        '--link-journal=no',
        '--resolv-conf=off',
        '--timezone=off',
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
    if (child.pid === undefined) throw new PloyError(`test bed: could not start systemd-nspawn for ${host.name}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** How to tell that a host's sshd answers: from the controller, or from inside a namespace. */
export type BannerProbe = (ip: string) => Promise<boolean>;

export const bannerFromController: BannerProbe = (ip) =>
  new Promise((resolve) => {
    const socket = connect({ host: ip, port: 22, timeout: 1000 });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1').startsWith('SSH-')));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });

/** Wait until sshd answers with its banner; the container's init PID then. */
export async function waitUntilReady(host: HostPlan, files: HostFiles, nspawnPid: number, probe: BannerProbe, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive(nspawnPid)) {
      throw new UnreachableError(host.name, `test bed: systemd-nspawn (PID ${nspawnPid}) exited while booting; end of ${files.hostDir}/console.log:\n${logTail(files)}`);
    }
    if (await probe(host.ip)) {
      const leader = findLeader(nspawnPid);
      if (leader !== undefined) return leader;
    }
    if (Date.now() > deadline) {
      throw new UnreachableError(host.name, `test bed: no SSH banner from ${host.ip}:22 within ${timeoutMs / 1000} s; end of ${files.hostDir}/console.log:\n${logTail(files)}`);
    }
    await sleep(100);
  }
}

function logTail(files: HostFiles): string {
  const path = join(files.hostDir, 'console.log');
  if (!existsSync(path)) return '(no console output)';
  // eslint-disable-next-line no-control-regex
  const text = readFileSync(path, 'utf8').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  return text.trim().split('\n').slice(-20).join('\n') || '(no console output)';
}
