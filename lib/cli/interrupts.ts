export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface InterruptHandlers {
  /** The first signal: stop starting new work, let running tasks finish. */
  first(signal: StopSignal): void;
  /** Any later signal: stop now. */
  second(signal: StopSignal): void | Promise<void>;
}

/** 128 + the signal's number, as shells report a process killed by it. */
export function signalExitCode(signal: StopSignal): 130 | 143 {
  return signal === 'SIGTERM' ? 143 : 130;
}

/**
 * Take over SIGINT and SIGTERM for the length of a run. Returns the function that gives them back
 * (after which the default behaviour, exiting, applies again).
 */
export function onInterrupt(handlers: InterruptHandlers): () => void {
  let received = 0;
  const listener = (signal: NodeJS.Signals): void => {
    received++;
    const stop: StopSignal = signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    if (received === 1) handlers.first(stop);
    else void handlers.second(stop);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
