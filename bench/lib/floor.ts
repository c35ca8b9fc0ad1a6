import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Client } from 'ssh2';
import { ignoreHostKeyAnnouncements } from '../../lib/connection/host-key-announcements.ts';
import { PloyError } from '../../lib/errors.ts';

export interface FloorTarget {
  name: string;
  address: string;
  port: number;
  user: string;
}

export interface FloorRun {
  wallMs: number;
  /** Each host's output of the batched command. */
  outputs: Record<string, string>;
}

/**
 * The floor: what no tool can beat. In this process, with ssh2 directly and ploy's connection
 * settings (key login, the host's ed25519 key checked against known_hosts, Nagle off), every host
 * at once: one connection, one command that reads every fact the play depends on, nothing else.
 * Timed from before the first connect to the last output, key file reading included.
 */
export async function measureFloor(targets: readonly FloorTarget[], keyPath: string, knownHostsPath: string, command: string): Promise<FloorRun> {
  const started = performance.now();
  const privateKey = readFileSync(keyPath);
  const hostKeys = ed25519Keys(readFileSync(knownHostsPath, 'utf8'));
  const clients: Client[] = [];
  try {
    const results = await Promise.all(
      targets.map(async (target) => {
        const client = new Client();
        clients.push(client);
        await connect(client, target, privateKey, hostKeys.get(target.address));
        return [target.name, await execute(client, target.name, command)] as const;
      }),
    );
    return { wallMs: performance.now() - started, outputs: Object.fromEntries(results) };
  } finally {
    for (const client of clients) client.end();
  }
}

/** known_hosts lines "ADDRESS ssh-ed25519 BASE64": the key blob by address. */
export function ed25519Keys(knownHosts: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const line of knownHosts.split('\n')) {
    const [address, type, blob] = line.trim().split(/\s+/);
    if (address && type === 'ssh-ed25519' && blob) keys.set(address, Buffer.from(blob, 'base64'));
  }
  return keys;
}

/**
 * Log in with the bed's key, the host's ed25519 key checked, Nagle off; with `sock`, over that
 * stream (a channel forwarded by a jump host) instead of a TCP connection of its own.
 */
export function connect(client: Client, target: FloorTarget, privateKey: Buffer, hostKey: Buffer | undefined, sock?: Readable): Promise<void> {
  if (!hostKey) return Promise.reject(new PloyError(`floor: no ed25519 key for ${target.address} in known_hosts`));
  return new Promise((resolve, reject) => {
    if (!sock) client.once('connect', () => client.setNoDelay(true));
    client.once('ready', () => resolve());
    client.once('error', (error) => reject(new PloyError(`floor: ${target.name}: ${error.message}`, { cause: error })));
    client.connect({
      ...(sock ? { sock } : { host: target.address, port: target.port }),
      username: target.user,
      privateKey,
      readyTimeout: 10_000,
      algorithms: { serverHostKey: ['ssh-ed25519'] },
      hostVerifier: (key: Buffer) => key.equals(hostKey),
    });
    // Like ploy's connections: no proof of the host keys OpenSSH announces after login.
    ignoreHostKeyAnnouncements(client);
  });
}

/** One exec channel: the command's stdout, or an error unless it exits 0. */
export function execute(client: Client, name: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, channel) => {
      if (error) return reject(new PloyError(`floor: ${name}: ${error.message}`, { cause: error }));
      const chunks: Buffer[] = [];
      let code: number | null = null;
      channel.on('data', (chunk: Buffer) => chunks.push(chunk));
      channel.stderr.resume();
      channel.on('exit', (status: number | null) => (code = status));
      channel.on('close', () => (code === 0 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new PloyError(`floor: ${name}: the command exited ${code}`))));
    });
  });
}
