import type { Client, ClientChannel } from 'ssh2';
import { PloyError, UnreachableError } from '../errors.ts';
import { buildCommandLine, becomeWrap } from './command-line.ts';
import type { Connection, ExecOptions, ExecResult } from './connection.ts';
import { Semaphore } from './semaphore.ts';
import { runSession } from './session.ts';
import { connect, type SshConnectOptions } from './ssh-connect.ts';

export type { SshConnectOptions } from './ssh-connect.ts';

/** How long a timed-out command gets between SIGTERM and SIGKILL, and then to close its channel. */
const KILL_GRACE_MS = 1000;
/** The host's `timeout` stops a command; the controller steps in only if that has not happened this much later. */
const REMOTE_TIMEOUT_FALLBACK_MS = 3000;
/** Retries of a refused channel open: sshd frees a closed session a moment after saying it is closed. */
const CHANNEL_OPEN_RETRIES = 8;

interface OpenedChannel {
  channel: ClientChannel;
  ended: { promise: Promise<number | null>; settle: () => void };
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
    const timeoutMs = options.timeoutMs ?? this.#options.commandTimeoutMs;
    const line = buildCommandLine(command, { env: options.env, cwd: options.cwd, become: wrap, timeoutMs });
    const release = await this.#channels.acquire();
    let opened: OpenedChannel;
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
        remoteTimeout: { fallbackMs: REMOTE_TIMEOUT_FALLBACK_MS },
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
   * Open an exec channel, retrying when sshd refuses it. Listeners go on inside ssh2's callback:
   * a fast command's output, exit status and close can all arrive in the same packet batch as the
   * open confirmation, before any awaiting code runs, and ssh2 does not replay the exit event.
   * `release` frees the channel slot when sshd has closed the session.
   */
  async #openChannel(line: string, release: () => void): Promise<OpenedChannel> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<OpenedChannel>((resolve, reject) => {
          this.#client.exec(line, (error, channel) => {
            if (error) return reject(error);
            channel.once('close', release);
            resolve({ channel, ended: this.#ended(channel) });
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
   * Settles when the channel is closed: the exit code (null if killed), or the connection's loss.
   * `settle` ends the wait early for a killed command whose session sshd keeps open.
   */
  #ended(channel: ClientChannel): { promise: Promise<number | null>; settle: () => void } {
    let settle = (): void => {};
    const promise = new Promise<number | null>((resolve, reject) => {
      let code: number | null = null;
      let exited = false;
      const abort = (error: UnreachableError): void => reject(error);
      this.#inFlight.add(abort);
      settle = () => {
        this.#inFlight.delete(abort);
        resolve(null);
      };
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
    return { promise, settle };
  }

  /**
   * Stop a command: SIGTERM to its process group (sudo passes it on to a command run as another
   * user, which the login user could not signal itself), SIGKILL after a grace period, then close
   * the channel and stop waiting.
   */
  #kill(channel: ClientChannel, settle: () => void): void {
    sendSignal(channel, 'TERM');
    const escalate = setTimeout(() => {
      sendSignal(channel, 'KILL');
      channel.close();
      setTimeout(settle, KILL_GRACE_MS).unref();
    }, KILL_GRACE_MS);
    escalate.unref();
    channel.once('close', () => clearTimeout(escalate));
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

/**
 * Send a "signal" channel request (RFC 4254 6.9). ssh2's Channel.signal() silently drops it once
 * stdin was ended, though the request is valid for as long as the channel is open, so the request
 * goes to ssh2's protocol layer directly (ssh2 is pinned; a change there fails the timeout tests).
 */
function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL'): void {
  const internal = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, signal: string): void } };
  };
  const protocol = internal._client?._protocol;
  const state = internal.outgoing?.state;
  if (internal.outgoing && protocol && (state === 'open' || state === 'eof')) protocol.signal(internal.outgoing.id, name);
  else channel.signal(name);
}
