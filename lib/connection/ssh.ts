import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ServerHostKeyAlgorithm } from 'ssh2';
import { HostKeyError, PloyError, UnreachableError } from '../errors.ts';
import { authAttempts, authHandlerFor } from './auth.ts';
import { buildCommandLine, becomeWrap } from './command-line.ts';
import type { Connection, ExecOptions, ExecResult } from './connection.ts';
import { preferredHostKeyAlgorithms, verifyHostKey, type HostKeyPolicy } from './host-key-policy.ts';
import { Semaphore } from './semaphore.ts';
import { runSession } from './session.ts';
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

const KEEPALIVE_INTERVAL_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;

/**
 * One SSH connection to one host, kept for the whole run (ssh2 Client). Every exec() is one
 * channel; at most `maxChannels` are open at once. Losing the connection fails every command in
 * flight, and every later one, with UnreachableError.
 */
export class SshConnection implements Connection {
  readonly #client: Client;
  readonly #options: SshConnectOptions;
  readonly #channels: Semaphore;
  readonly #inFlight = new Set<(error: UnreachableError) => void>();
  readonly #closeListeners: Array<() => void> = [];
  #opened = 0;
  #lost: UnreachableError | undefined;
  #closing = false;

  private constructor(client: Client, options: SshConnectOptions) {
    this.#client = client;
    this.#options = options;
    this.#channels = new Semaphore(options.maxChannels);
    client.on('error', (error: Error) => this.#drop(`connection lost: ${error.message}`));
    client.on('close', () => this.#drop('connection closed by the remote end'));
  }

  /** Connect and log in, checking the host key; UnreachableError/HostKeyError/InputError on failure. */
  static async open(options: SshConnectOptions): Promise<SshConnection> {
    const client = await connect(options);
    return new SshConnection(client, options);
  }

  get host(): string {
    return this.#options.name;
  }

  get channelsOpened(): number {
    return this.#opened;
  }

  /** The most channels that were ever open at once (never above maxChannels). */
  get peakChannels(): number {
    return this.#channels.peak;
  }

  /** False once the connection was closed or lost. */
  get isOpen(): boolean {
    return !this.#lost && !this.#closing;
  }

  /** Called once when the connection ends, whether closed or lost. */
  onClose(listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const wrap = options.become ? becomeWrap(options.become.user) : undefined;
    const line = buildCommandLine(command, { env: options.env, cwd: options.cwd, become: wrap });
    const timeoutMs = options.timeoutMs ?? this.#options.commandTimeoutMs;
    const release = await this.#channels.acquire();
    try {
      this.#assertOpen();
      this.#opened++;
      const channel = await this.#openChannel(line);
      return await runSession(
        {
          stdout: channel,
          stderr: channel.stderr,
          stdin: channel,
          kill: () => {
            channel.signal('KILL');
            channel.close();
          },
          ended: this.#ended(channel),
        },
        {
          host: this.host,
          command,
          stdin: options.stdin,
          become: wrap && options.become ? { wrap, password: options.become.password } : undefined,
          timeoutMs,
        },
      );
    } finally {
      release();
    }
  }

  /** A TCP stream to address:port opened from this host (direct-tcpip), to reach a host behind it. */
  forwardOut(address: string, port: number): Promise<ClientChannel> {
    this.#assertOpen();
    return new Promise((resolve, reject) => {
      this.#client.forwardOut('127.0.0.1', 0, address, port, (error, stream) => {
        if (error) reject(new PloyError(`${this.host} could not open a connection to ${address}:${port}: ${error.message}`, { cause: error }));
        else resolve(stream);
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => {
      this.#client.once('close', () => resolve());
      setTimeout(() => {
        this.#client.destroy();
        resolve();
      }, 2000).unref();
    });
    this.#client.end();
    await closed;
    this.#notifyClosed();
  }

  #assertOpen(): void {
    if (this.#lost) throw this.#lost;
    if (this.#closing) throw new UnreachableError(this.host, 'the connection was already closed');
  }

  #openChannel(line: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.#client.exec(line, (error, channel) => {
        if (!error) return resolve(channel);
        reject(this.#lost ?? new UnreachableError(this.host, `could not open a channel: ${error.message}`, { cause: error }));
      });
    });
  }

  /** Settles when the channel is closed: the exit code (null if killed), or the connection's loss. */
  #ended(channel: ClientChannel): Promise<number | null> {
    return new Promise((resolve, reject) => {
      let code: number | null = null;
      let exited = false;
      const abort = (error: UnreachableError): void => reject(error);
      this.#inFlight.add(abort);
      channel.on('exit', (status: number | null) => {
        exited = true;
        code = typeof status === 'number' ? status : null;
      });
      channel.on('close', () => {
        // Without an exit status the channel may have died with the connection: ssh2 reports the
        // connection's end first, but give it a turn before calling this a killed command.
        setImmediate(() => {
          this.#inFlight.delete(abort);
          if (!exited && this.#lost) reject(this.#lost);
          else resolve(code);
        });
      });
    });
  }

  #drop(reason: string): void {
    if (this.#lost || this.#closing) return;
    const where = this.#options.via ? ` (through jump host ${this.#options.via})` : '';
    this.#lost = new UnreachableError(this.host, `${reason}${where}`);
    for (const abort of this.#inFlight) abort(this.#lost);
    this.#inFlight.clear();
    this.#client.destroy();
    this.#notifyClosed();
  }

  #notifyClosed(): void {
    for (const listener of this.#closeListeners.splice(0)) listener();
  }
}

async function connect(options: SshConnectOptions): Promise<Client> {
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
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
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
  });
}
