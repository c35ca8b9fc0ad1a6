import { InputError, UnreachableError } from '../errors.ts';
import type { Connection } from './connection.ts';
import { defaultKnownHostsFile, type HostKeyPolicy } from './host-key-policy.ts';
import { LocalConnection } from './local.ts';
import { Semaphore } from './semaphore.ts';
import type { ConnectionSpec } from './spec.ts';
import { droppedBeforeHandshake } from './ssh-connect.ts';
import { SshConnection } from './ssh.ts';

export interface ConnectionPoolOptions {
  /** Default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** Add unknown host keys to known_hosts instead of refusing (a changed key is always refused). */
  acceptNewHostKeys?: boolean;
  /** TCP connect + SSH handshake + login, per host. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default per-command timeout; none by default. */
  commandTimeoutMs?: number;
  /** Channels in flight per host. Default 8 (OpenSSH MaxSessions is 10). */
  maxChannels?: number;
}

/** Handshakes in flight through one jump host: under OpenSSH's MaxStartups 10:30:100, so few are dropped. */
const HANDSHAKES_PER_JUMP_HOST = 8;
/** Tries of a connection that sshd dropped before its banner (it still counts other handshakes for a moment). */
const HANDSHAKE_TRIES = 4;

/**
 * The run's connections: each host (and each jump host) is opened once and shared; concurrent
 * get() calls for one host wait for the same connection. A failed or lost connection is forgotten,
 * so a later get() tries again. Hosts behind a jump host reach it through that host's connection.
 */
export class ConnectionPool {
  readonly #knownHostsFile: string;
  readonly #acceptNewHostKeys: boolean;
  readonly #connectTimeoutMs: number;
  readonly #commandTimeoutMs: number | undefined;
  readonly #maxChannels: number;
  readonly #connections = new Map<string, Promise<Connection>>();
  readonly #opened = new Map<string, { connection: Connection; depth: number }>();
  readonly #handshakes = new Map<string, Semaphore>();

  constructor(options: ConnectionPoolOptions = {}) {
    this.#knownHostsFile = options.knownHostsFile ?? defaultKnownHostsFile();
    this.#acceptNewHostKeys = options.acceptNewHostKeys ?? false;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#commandTimeoutMs = options.commandTimeoutMs;
    this.#maxChannels = options.maxChannels ?? 8;
  }

  /** The host's connection, opened on first use. Throws UnreachableError, HostKeyError or InputError. */
  get(spec: ConnectionSpec): Promise<Connection> {
    const key = keyOf(spec);
    let connection = this.#connections.get(key);
    if (!connection) {
      connection = this.#open(spec, key);
      this.#connections.set(key, connection);
      const forget = (): void => {
        if (this.#connections.get(key) === connection) this.#connections.delete(key);
        this.#opened.delete(key);
      };
      connection.then((c) => (c instanceof SshConnection ? c.onClose(forget) : undefined), forget);
    }
    return connection;
  }

  /** Every connection open now (for tests counting channels). */
  openConnections(): Connection[] {
    return [...this.#opened.values()].map((o) => o.connection);
  }

  /** The most handshakes that were ever in flight at once through a jump host (for tests). */
  peakHandshakesThrough(jump: ConnectionSpec): number {
    return this.#handshakes.get(keyOf(jump))?.peak ?? 0;
  }

  /** Close every connection, hosts behind jump hosts before the jump hosts. */
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.#connections.values());
    const byDepth = [...this.#opened.values()].sort((a, b) => b.depth - a.depth);
    this.#connections.clear();
    this.#opened.clear();
    for (const depth of new Set(byDepth.map((o) => o.depth))) {
      await Promise.allSettled(byDepth.filter((o) => o.depth === depth).map((o) => o.connection.close()));
    }
  }

  async #open(spec: ConnectionSpec, key: string): Promise<Connection> {
    let connection: Connection;
    if (spec.kind === 'local') {
      connection = new LocalConnection(spec.name, this.#commandTimeoutMs ? { commandTimeoutMs: this.#commandTimeoutMs } : {});
    } else if (spec.jump) {
      const jump = spec.jump;
      connection = await retryDropped(() => this.#openThrough(spec, jump));
    } else {
      connection = await retryDropped(() => SshConnection.open(this.#sshOptions(spec)));
    }
    this.#opened.set(key, { connection, depth: depthOf(spec) });
    return connection;
  }

  async #openThrough(spec: ConnectionSpec, jump: ConnectionSpec): Promise<Connection> {
    let via: Connection;
    try {
      via = await this.get(jump);
    } catch (error) {
      if (error instanceof InputError) throw error;
      const reason = (error as Error).message.replace(new RegExp(`^${escapeRegExp(jump.name)}: `), '');
      throw new UnreachableError(spec.name, `unreachable through jump host ${jump.name}: ${reason}`, { cause: error });
    }
    if (!(via instanceof SshConnection)) throw new InputError(`jump host ${jump.name} is not an ssh host`, { host: spec.name });
    const { address, port } = spec.endpoint;
    const release = await this.#handshakeSlots(keyOf(jump)).acquire();
    try {
      let sock;
      try {
        sock = await via.forwardOut(address, port);
      } catch (error) {
        throw new UnreachableError(spec.name, `unreachable through jump host ${jump.name}: ${(error as Error).message}`, { cause: error });
      }
      try {
        return await SshConnection.open({ ...this.#sshOptions(spec), sock, via: jump.name });
      } catch (error) {
        sock.destroy();
        throw error;
      }
    } finally {
      release();
    }
  }

  #handshakeSlots(jumpKey: string): Semaphore {
    let slots = this.#handshakes.get(jumpKey);
    if (!slots) {
      slots = new Semaphore(HANDSHAKES_PER_JUMP_HOST);
      this.#handshakes.set(jumpKey, slots);
    }
    return slots;
  }

  /**
   * The host's own UserKnownHostsFile/StrictHostKeyChecking (from `-o` in its inventory ssh args,
   * else its ssh config: see spec.ts) win over the pool's knownHostsFile and its strict default.
   * acceptNewHostKeys (--accept-new-host-keys) is the user's explicit choice for this run and wins
   * over a host's `strict`; a changed key is refused either way.
   */
  #hostKeysFor(spec: ConnectionSpec): HostKeyPolicy {
    const { knownHostsFiles, hostKeyChecking } = spec.endpoint;
    return {
      knownHostsFiles: knownHostsFiles ?? [this.#knownHostsFile],
      acceptNew: this.#acceptNewHostKeys || hostKeyChecking === 'accept-new',
    };
  }

  #sshOptions(spec: ConnectionSpec) {
    return {
      name: spec.name,
      endpoint: spec.endpoint,
      hostKeys: this.#hostKeysFor(spec),
      connectTimeoutMs: this.#connectTimeoutMs,
      commandTimeoutMs: this.#commandTimeoutMs,
      maxChannels: this.#maxChannels,
    };
  }
}

async function retryDropped<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (attempt >= HANDSHAKE_TRIES || !droppedBeforeHandshake(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** Specs that reach the same sshd the same way share a connection. */
function keyOf(spec: ConnectionSpec): string {
  if (spec.kind === 'local') return `local:${spec.name}`;
  const { user, address, port } = spec.endpoint;
  return `${spec.name}=${user}@${address}:${port}${spec.jump ? ` via ${keyOf(spec.jump)}` : ''}`;
}

function depthOf(spec: ConnectionSpec): number {
  return spec.jump ? 1 + depthOf(spec.jump) : 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
