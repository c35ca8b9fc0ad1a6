/**
 * For integration tests that call runPlay on the test bed: a reporter that records every event,
 * and a pool that remembers the connection it gave each host, so its channels can be counted.
 */
import type { Connection } from '../../lib/connection/connection.ts';
import type { ConnectionPool } from '../../lib/connection/pool.ts';
import type { ConnectionSpec } from '../../lib/connection/spec.ts';
import type { Reporter, RunEvent } from '../../lib/runner/events.ts';

export class Recorder implements Reporter {
  readonly events: RunEvent[] = [];
  emit(event: RunEvent): void {
    this.events.push(event);
  }
  close(): void {}
  /** Why hosts dropped out, for assertion messages. */
  problems(): string {
    return this.events
      .filter((e) => e.type === 'host-failed' || e.type === 'host-unreachable')
      .map((e) => `${(e as { host: string }).host}: ${(e as { message: string }).message}`)
      .join('\n');
  }
  ends(): Array<Extract<RunEvent, { type: 'task-end' }>> {
    return this.events.filter((e): e is Extract<RunEvent, { type: 'task-end' }> => e.type === 'task-end');
  }
  commands(host?: string): Array<Extract<RunEvent, { type: 'command' }>> {
    return this.events.filter((e): e is Extract<RunEvent, { type: 'command' }> => e.type === 'command' && (host === undefined || e.host === host));
  }
}

/** The pool, remembering every connection it handed out (so channels can be counted after the run) and every error it threw. */
export class ObservedPool {
  readonly connections = new Map<string, Connection>();
  /** Per host, what connecting threw (the error itself: its class says why, events only carry a message). */
  readonly failures = new Map<string, unknown>();
  constructor(readonly pool: ConnectionPool) {}
  async get(spec: ConnectionSpec): Promise<Connection> {
    let connection: Connection;
    try {
      connection = await this.pool.get(spec);
    } catch (error) {
      this.failures.set(spec.name, error);
      throw error;
    }
    this.connections.set(spec.name, connection);
    return connection;
  }
  closeAll(): Promise<void> {
    return this.pool.closeAll();
  }
  channels(host: string): number {
    return this.connections.get(host)?.channelsOpened ?? 0;
  }
}
