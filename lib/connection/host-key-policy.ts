import { homedir } from 'node:os';
import { join } from 'node:path';
import { HostKeyError } from '../errors.ts';
import { describeKey, fingerprintOf } from './fingerprint.ts';
import { appendKnownHost, checkHostKey, knownHostName, knownKeyTypes, readKnownHosts, type KnownHostEntry } from './known-hosts.ts';

export interface HostKeyPolicy {
  /** known_hosts files, all checked (OpenSSH's UserKnownHostsFile); new keys go to the first. */
  knownHostsFiles: string[];
  /** Add unknown hosts' keys and go on (never for a changed key). */
  acceptNew: boolean;
}

export function defaultKnownHostsFile(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

/**
 * Accept or refuse the key a server offered. `address:port` is where the host was reached as seen
 * from the last hop (the jump host's view for a host behind one, as OpenSSH's ProxyJump does).
 * Throws HostKeyError for an unknown key (unless acceptNew), a changed key, or a revoked one.
 */
export async function verifyHostKey(policy: HostKeyPolicy, host: string, address: string, port: number, key: Buffer): Promise<void> {
  const name = knownHostName(address, port);
  const files = policy.knownHostsFiles;
  const verdict = checkHostKey(await readAll(files), name, key);
  const offered = describeKey(key);
  const lineOf = (entry: { line: number; file?: string }): string => (files.length > 1 ? `${entry.file} line ${entry.line}` : `line ${entry.line}`);
  switch (verdict.status) {
    case 'known':
      return;
    case 'revoked':
      throw new HostKeyError(host, `host key for ${host} (${name}) is marked @revoked in ${files.join(', ')} ${lineOf(verdict)} (${offered}); refusing to connect`);
    case 'changed': {
      const expected = verdict.expected.map((e) => `${e.keyType} ${fingerprintOf(e.key)} (${lineOf(e)})`).join(', ');
      throw new HostKeyError(
        host,
        `host key for ${host} (${name}) has CHANGED: the host offered ${offered} but ${files.join(', ')} expects ${expected}; ` +
          'refusing to connect (someone may be intercepting the connection, or the host was reinstalled: verify, then fix known_hosts)',
      );
    }
    case 'unknown':
      if (policy.acceptNew && files[0] !== undefined) {
        await appendKnownHost(files[0], name, key);
        return;
      }
      throw new HostKeyError(
        host,
        `host key for ${host} (${name}) is not known; verify it and add it to known_hosts (${files.join(', ') || 'none given'}), ` + `or run with --accept-new-host-keys (the host offered ${offered})`,
      );
  }
}

/** Every host key algorithm ploy accepts, in ssh2's default order. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** The algorithms of a key type: an "ssh-rsa" key signs with rsa-sha2-512/256 too. */
function algorithmsFor(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * Host key algorithms with those already known for the host first, so a server with several keys
 * offers the one known_hosts has (as OpenSSH orders HostKeyAlgorithms), not a different type that
 * would look like a changed key.
 */
export async function preferredHostKeyAlgorithms(policy: HostKeyPolicy, address: string, port: number): Promise<string[]> {
  const types = knownKeyTypes(await readAll(policy.knownHostsFiles), knownHostName(address, port));
  const first = types.flatMap(algorithmsFor).filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...first, ...HOST_KEY_ALGORITHMS])];
}

async function readAll(files: string[]): Promise<KnownHostEntry[]> {
  return (await Promise.all(files.map(readKnownHosts))).flat();
}
