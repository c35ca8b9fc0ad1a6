import type { Client, ClientChannel } from 'ssh2';
import { PloyError, UnreachableError } from '../errors.ts';
import { watchChannelEnd, type ChannelEnd } from './channel-end.ts';
import { buildCommandLine, becomeWrap } from './command-line.ts';
import type { Connection, ExecOptions, ExecResult } from './connection.ts';
import { Semaphore } from './semaphore.ts';
import { runSession } from './session.ts';
import { connect, lostReason, type SshConnectOptions } from './ssh-connect.ts';

export type { SshConnectOptions } from './ssh-connect.ts';

/** How long a channel closed by the fallback kill gets to report its end. */
const KILL_GRACE_MS = 1000;
/** The host's `timeout` stops a command; the controller steps in only if that has not happened this much later. */
const REMOTE_TIMEOUT_FALLBACK_MS = 3000;
/** Retries of a refused channel open: sshd frees a closed session a moment after saying it is closed. */
const CHANNEL_OPEN_RETRIES = 8;

interface OpenedChannel {
  channel: ClientChannel;
  ended: ChannelEnd;
}

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
    client.on('error', (error: Error) => this.#drop(lostReason(error, options.connectTimeoutMs)));
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
    const timeoutMs = options.timeoutMs ?? this.#options.commandTimeoutMs;
    const line = buildCommandLine(command, { env: options.env, cwd: options.cwd, become: wrap, timeoutMs });
    const release = await this.#channels.acquire();
    let opened: OpenedChannel;
    // Before the channel is asked for: the host's `timeout` cannot have started any earlier.
    const requestedAt = Date.now();
    try {
      this.#assertOpen();
      opened = await this.#openChannel(line, release);
    } catch (error) {
      release();
      throw error;
    }
    const { channel, ended } = opened;
    this.#opened++;
    return runSession(
      { stdout: channel, stderr: channel.stderr, stdin: channel, kill: () => this.#kill(channel, ended.settle), ended: ended.promise },
      {
        host: this.host,
        command,
        stdin: options.stdin,
        become: wrap && options.become ? { wrap, password: options.become.password } : undefined,
        timeoutMs,
        remoteTimeout: { fallbackMs: REMOTE_TIMEOUT_FALLBACK_MS, requestedAt },
      },
    );
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

  /**
   * Open an exec channel, retrying when sshd refuses it. Its listeners go on inside ssh2's
   * callback (see watchChannelEnd); `release` frees the channel slot once sshd closed the session.
   */
  async #openChannel(line: string, release: () => void): Promise<OpenedChannel> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<OpenedChannel>((resolve, reject) => {
          this.#client.exec(line, (error, channel) => {
            if (error) return reject(error);
            channel.once('close', release);
            resolve({ channel, ended: watchChannelEnd(channel, () => this.#lost, this.#inFlight) });
          });
        });
      } catch (error) {
        if (this.#lost) throw this.#lost;
        if (attempt >= CHANNEL_OPEN_RETRIES) {
          throw new UnreachableError(this.host, `could not open a channel: ${(error as Error).message}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      }
    }
  }

  /**
   * The fallback when the host's `timeout` did not end a command: close the channel and stop
   * waiting. (A "signal" request would not help: sshd refuses it on root logins, and a login user
   * cannot signal a command sudo runs as root.)
   */
  #kill(channel: ClientChannel, settle: () => void): void {
    channel.close();
    setTimeout(settle, KILL_GRACE_MS).unref();
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
