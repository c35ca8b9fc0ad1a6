import type { Duplex } from 'node:stream';
import { Client, type ServerHostKeyAlgorithm } from 'ssh2';
import { HostKeyError, UnreachableError } from '../errors.ts';
import { authAttempts, authHandlerFor } from './auth.ts';
import { ignoreHostKeyAnnouncements } from './host-key-announcements.ts';
import { preferredHostKeyAlgorithms, verifyHostKey, type HostKeyPolicy } from './host-key-policy.ts';
import type { SshEndpoint } from './spec.ts';

export interface SshConnectOptions {
  /** Inventory name, for messages. */
  name: string;
  endpoint: SshEndpoint;
  hostKeys: HostKeyPolicy;
  connectTimeoutMs: number;
  /** Default per-command timeout; exec's own timeoutMs wins. */
  commandTimeoutMs?: number;
  /** Channels in flight at once; more exec() calls wait in a queue. */
  maxChannels: number;
  /** A stream to the host's sshd opened through a jump host; absent: a direct TCP connection. */
  sock?: Duplex;
  /** The jump host's name when `sock` goes through one, for messages. */
  via?: string;
}

/**
 * Keepalive probes unanswered before a connection counts as lost. They go out every
 * connectTimeoutMs / (this + 1), so a host silent for about the connect timeout (a dead link, a
 * frozen host) is reported unreachable then, instead of hanging the run.
 */
const KEEPALIVE_COUNT_MAX = 3;

/** Why an open connection was lost, from ssh2's error: a keepalive timeout says what it means. */
export function lostReason(error: Error, connectTimeoutMs: number): string {
  if (error.message !== 'Keepalive timeout') return `connection lost: ${error.message}`;
  return `connection lost: no answer to keepalive probes for ${connectTimeoutMs / 1000} s (the host or the network is down)`;
}

/** ssh2's message when the server hangs up before sending its banner. */
const LOST_BEFORE_HANDSHAKE = 'Connection lost before handshake';

/**
 * True for a connection the server dropped before the SSH banner: nothing was exchanged, so it is
 * safe to try again (sshd drops some new connections at random beyond MaxStartups' first number).
 */
export function droppedBeforeHandshake(error: unknown): boolean {
  return error instanceof UnreachableError && error.cause instanceof Error && error.cause.message === LOST_BEFORE_HANDSHAKE;
}

/**
 * Open an ssh2 Client: TCP (or the given stream), Nagle off, keepalive, the host key checked
 * against known_hosts, then login. Resolves once ready; UnreachableError, HostKeyError or
 * InputError (an unusable key file) otherwise, all within connectTimeoutMs.
 */
export async function connect(options: SshConnectOptions): Promise<Client> {
  const { name, endpoint, hostKeys, connectTimeoutMs } = options;
  const target = `${endpoint.user}@${endpoint.address}:${endpoint.port}${options.via ? ` through jump host ${options.via}` : ''}`;
  const attempts = await authAttempts(name, endpoint);
  const serverHostKey = await preferredHostKeyAlgorithms(hostKeys, endpoint.address, endpoint.port);
  const tried: string[] = [];
  let hostKeyError: Error | undefined;
  const client = new Client();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error & { level?: string }): void => {
      if (settled) return; // from here on the SshConnection's own listeners report
      settled = true;
      client.destroy();
      if (hostKeyError) return reject(hostKeyError);
      let message: string;
      if (error.level === 'client-authentication') {
        message = `authentication failed for ${target} (tried: ${tried.join(', ') || 'nothing: no key file, ssh-agent or password is set'})`;
      } else if (error.level === 'client-timeout') {
        message = `timed out after ${connectTimeoutMs} ms connecting to ${target}`;
      } else if (error.message === LOST_BEFORE_HANDSHAKE) {
        message = `${target} closed the connection before the SSH handshake (sshd's MaxStartups limit, or not an SSH server)`;
      } else {
        message = `cannot connect to ${target}: ${error.message}`;
      }
      reject(new UnreachableError(name, message, { cause: error }));
    };
    client.once('connect', () => client.setNoDelay(true));
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', fail);
    client.on('close', () => fail(new Error('the connection closed during the handshake')));
    client.connect({
      host: endpoint.address,
      port: endpoint.port,
      username: endpoint.user,
      ...(options.sock ? { sock: options.sock } : {}),
      readyTimeout: connectTimeoutMs,
      keepaliveInterval: Math.max(250, Math.round(connectTimeoutMs / (KEEPALIVE_COUNT_MAX + 1))),
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      algorithms: { serverHostKey: serverHostKey as ServerHostKeyAlgorithm[] },
      authHandler: authHandlerFor(attempts, tried),
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        verifyHostKey(hostKeys, name, endpoint.address, endpoint.port, key).then(
          () => verify(true),
          (error: unknown) => {
            hostKeyError = error instanceof HostKeyError ? error : new HostKeyError(name, `cannot check the host key: ${(error as Error).message}`);
            verify(false);
          },
        );
      },
    });
    ignoreHostKeyAnnouncements(client);
  });
}
