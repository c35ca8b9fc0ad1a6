import type { ClientChannel } from 'ssh2';
import type { UnreachableError } from '../errors.ts';
import type { ProcessEnd } from './session.ts';

/** How one exec channel ends: its exit code (null if killed) and the signal sshd reported, or the connection's loss. */
export interface ChannelEnd {
  promise: Promise<ProcessEnd>;
  /** Stop waiting now (a killed command whose session sshd keeps open): resolves with null. */
  settle(): void;
}

/**
 * Watch a channel until it closes. Must be called inside ssh2's exec callback: a fast command's
 * exit status and close can arrive in the same packet batch as the open confirmation, and ssh2
 * does not replay the exit event. `aborts` holds the waits the connection fails when it is lost.
 */
export function watchChannelEnd(channel: ClientChannel, lost: () => UnreachableError | undefined, aborts: Set<(error: UnreachableError) => void>): ChannelEnd {
  let settle = (): void => {};
  const promise = new Promise<ProcessEnd>((resolve, reject) => {
    let code: number | null = null;
    let signal: string | undefined;
    let exited = false;
    const abort = (error: UnreachableError): void => reject(error);
    aborts.add(abort);
    settle = () => {
      aborts.delete(abort);
      resolve({ code: null });
    };
    // ssh2 gives (status) for exit-status, (null, 'SIGKILL', ...) for exit-signal.
    channel.on('exit', (status: number | null, signalName?: string) => {
      exited = true;
      code = typeof status === 'number' ? status : null;
      if (typeof signalName === 'string' && signalName !== '') signal = signalName;
    });
    channel.on('close', () => {
      // Without an exit status the channel may have died with the connection: ssh2 reports the
      // connection's end first, but give it a turn before calling this a killed command.
      setImmediate(() => {
        aborts.delete(abort);
        const error = exited ? undefined : lost();
        if (error) reject(error);
        else resolve({ code, ...(signal ? { signal } : {}) });
      });
    });
  });
  return { promise, settle };
}
